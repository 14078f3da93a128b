// SPDX-License-Identifier: MIT
#include "net/request_label.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <optional>

namespace meteremu {
namespace {

struct MethodSlot {
    std::array<char, kMaxMethodName> text{};
    std::uint8_t size = 0;

    std::string_view View() const noexcept { return {text.data(), size}; }
};

/// Slots below `used` are written once, before `used` is raised past them (release), and never
/// change again: a reader that loaded `used` (acquire) reads them without a lock. Only adding
/// a name takes the mutex, at most kMethodCapacity times in the life of the process.
class MethodTable {
public:
    MethodTable() {
        Put(kUnreadMethod, "-");
        Put(kOtherMethod, "other");
        used_.store(2, std::memory_order_release);
    }

    MethodId Of(std::string_view name) noexcept {
        if (name.empty() || name.size() > kMaxMethodName) return kOtherMethod;
        if (auto known = Find(name, used_.load(std::memory_order_acquire))) return *known;
        std::lock_guard lock(adding_);
        std::size_t used = used_.load(std::memory_order_relaxed);
        if (auto known = Find(name, used)) return *known;
        if (used == kMethodCapacity) return kOtherMethod;
        Put(used, name);
        used_.store(used + 1, std::memory_order_release);
        return static_cast<MethodId>(used);
    }

    std::string_view Name(MethodId id) const noexcept {
        if (id >= used_.load(std::memory_order_acquire)) return slots_[kOtherMethod].View();
        return slots_[id].View();
    }

private:
    std::optional<MethodId> Find(std::string_view name, std::size_t used) const noexcept {
        for (std::size_t id = 0; id < used; ++id) // "-" and "other" too: never twice
            if (slots_[id].View() == name) return static_cast<MethodId>(id);
        return std::nullopt;
    }

    void Put(std::size_t id, std::string_view name) noexcept {
        std::copy(name.begin(), name.end(), slots_[id].text.begin());
        slots_[id].size = static_cast<std::uint8_t>(name.size());
    }

    std::array<MethodSlot, kMethodCapacity> slots_{};
    std::atomic<std::size_t> used_{0};
    std::mutex adding_;
};

MethodTable& Methods() noexcept {
    static MethodTable table; // constant-initialisable parts only: no throw
    return table;
}

} // namespace

std::string_view OutcomeName(RequestOutcome outcome) noexcept {
    switch (outcome) {
    case RequestOutcome::Answered:
        return "answered";
    case RequestOutcome::Withheld:
        return "withheld";
    case RequestOutcome::NoNewSample:
        return "no_new_sample";
    case RequestOutcome::RateLimited:
        return "rate_limited";
    case RequestOutcome::Refused:
        return "refused";
    case RequestOutcome::Failed:
        return "failed";
    }
    return "failed";
}

MethodId MethodIdOf(std::string_view name) noexcept {
    return Methods().Of(name);
}

std::string_view MethodName(MethodId id) noexcept {
    return Methods().Name(id);
}

} // namespace meteremu
