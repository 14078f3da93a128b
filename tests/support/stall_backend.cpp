// SPDX-License-Identifier: MIT
#include "support/stall_backend.hpp"

#include "backends/poll_loop.hpp"
#include "config/config_section.hpp"
#include "platform/log.hpp"

#include <atomic>
#include <filesystem>
#include <thread>

namespace meteremu::test {
namespace {

constexpr log::Domain kDomain{"backend"};

/// How often a stalled poll looks at the file and at a stop request.
constexpr std::chrono::milliseconds kStallCheck{50};

bool Exists(const std::string& path) noexcept {
    std::error_code error;
    return std::filesystem::exists(path, error);
}

class StallBackend final : public Backend {
public:
    StallBackend(const StallOptions& options, const BackendContext& context)
        : stall_file_(options.stall_file), poll_interval_(context.poll_interval),
          loop_("poll-stall", context.heartbeat) {}

    ~StallBackend() override { Stop(); }

    void Start() override {
        loop_.Start([this](std::stop_token stop) { return PollOnce(stop); });
    }

    void Stop() noexcept override { loop_.Stop(); }

    std::string Describe() const override { return "stall test backend (" + stall_file_ + ")"; }

    std::string Health() const override { return stalled_ ? "stall stalled" : "stall ok"; }

private:
    /// Blocks, as a hung request would, for as long as the file exists; obeys a stop.
    Seconds PollOnce(const std::stop_token& stop) {
        if (!Exists(stall_file_)) return poll_interval_;
        stalled_ = true;
        log::Warning(kDomain, "stall test backend: stalled while ", stall_file_, " exists");
        while (!stop.stop_requested() && Exists(stall_file_))
            std::this_thread::sleep_for(kStallCheck);
        stalled_ = false;
        log::Notice(kDomain, "stall test backend: released");
        return poll_interval_;
    }

    std::string stall_file_;
    Seconds poll_interval_;
    std::atomic<bool> stalled_{false};
    PollLoop loop_;
};

std::unique_ptr<BackendOptions> ParseStall(ConfigSection& section) {
    auto options = std::make_unique<StallOptions>();
    auto file = section.String("stall_file");
    if (!file || file->empty())
        section.ErrorMissing("stall_file", "the file whose existence stalls the backend");
    else
        options->stall_file = *file;
    return options;
}

std::unique_ptr<Backend> CreateStall(const BackendOptions& options, const BackendContext& context) {
    return std::make_unique<StallBackend>(static_cast<const StallOptions&>(options), context);
}

} // namespace

const BackendPlugin stall_backend_plugin{"stall", ParseStall, CreateStall};

} // namespace meteremu::test
