// SPDX-License-Identifier: MIT
#include "core/sample_gate.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace meteremu {
namespace {

constexpr std::array<std::pair<std::string_view, RepeatPolicy>, 3> kRepeatPolicyNames{{
    {"repeat", RepeatPolicy::Repeat},
    {"hold", RepeatPolicy::Hold},
    {"drop", RepeatPolicy::Drop},
}};

constexpr std::uint64_t kFnvOffset = 14695981039346656037ULL;
constexpr std::uint64_t kFnvPrime = 1099511628211ULL;

std::uint64_t Mix(std::uint64_t hash, unsigned char byte) noexcept {
    return (hash ^ byte) * kFnvPrime;
}

} // namespace

std::optional<RepeatPolicy> ParseRepeatPolicy(std::string_view name) noexcept {
    for (const auto& [text, policy] : kRepeatPolicyNames)
        if (text == name) return policy;
    return std::nullopt;
}

std::string_view RepeatPolicyName(RepeatPolicy policy) noexcept {
    for (const auto& [text, value] : kRepeatPolicyNames)
        if (value == policy) return text;
    return "?";
}

ClientKey ClientKeyOf(GateTransport transport, const unsigned char* address,
                      std::size_t length) noexcept {
    std::uint64_t hash = Mix(kFnvOffset, static_cast<unsigned char>(transport));
    for (std::size_t i = 0; i < length; ++i)
        hash = Mix(hash, address[i]);
    return hash;
}

SampleGate::SampleGate(GatePolicy policy, std::size_t capacity)
    : policy_(policy), capacity_(std::max<std::size_t>(capacity, 1)) {
    clients_.reserve(capacity_); // the table never rehashes while serving
}

void SampleGate::SetPolicy(GatePolicy policy) noexcept {
    std::lock_guard lock(mutex_);
    policy_ = policy;
}

GatePolicy SampleGate::Policy() const noexcept {
    std::lock_guard lock(mutex_);
    return policy_;
}

GateDecision SampleGate::Admit(ClientKey client, std::uint64_t sample, SteadyTime now) noexcept {
    try {
        return Decide(client, sample, now, false);
    } catch (...) {
        return {}; // out of memory for a new client: served, as without a gate
    }
}

GateDecision SampleGate::Recheck(ClientKey client, std::uint64_t sample, SteadyTime now) noexcept {
    try {
        return Decide(client, sample, now, true);
    } catch (...) {
        return {};
    }
}

SampleGate::Client& SampleGate::Find(ClientKey key) {
    if (auto found = clients_.find(key); found != clients_.end()) return found->second;
    if (clients_.size() >= capacity_) {
        // Only a new client at a full table pays for this scan: a site has a few clients.
        auto oldest = std::min_element(clients_.begin(), clients_.end(), [](auto& a, auto& b) {
            return a.second.last_poll < b.second.last_poll;
        });
        clients_.erase(oldest);
        evicted_.fetch_add(1, std::memory_order_relaxed);
    }
    return clients_.try_emplace(key).first->second;
}

GateDecision SampleGate::Decide(ClientKey key, std::uint64_t sample, SteadyTime now, bool recheck) {
    std::lock_guard lock(mutex_);
    Client& client = Find(key);
    client.last_poll = now;
    // Only a greater number is new: a sample older than one served is no news either.
    if (!client.served_any || sample > client.served) {
        client.served = sample;
        client.served_any = true;
        client.held_since.reset();
        served_new_.fetch_add(1, std::memory_order_relaxed);
        return {GateVerdict::Serve};
    }
    return NoNewSample(client, now, recheck);
}

GateDecision SampleGate::NoNewSample(Client& client, SteadyTime now, bool recheck) noexcept {
    switch (policy_.repeat) {
    case RepeatPolicy::Repeat:
        client.held_since.reset();
        repeated_.fetch_add(1, std::memory_order_relaxed);
        return {GateVerdict::Repeat};
    case RepeatPolicy::Drop:
        client.held_since.reset();
        dropped_.fetch_add(1, std::memory_order_relaxed);
        return {GateVerdict::Drop};
    case RepeatPolicy::Hold:
        break;
    }
    if (!client.held_since) client.held_since = now;
    SteadyTime deadline =
        *client.held_since + std::chrono::duration_cast<SteadyTime::duration>(policy_.max_hold);
    if (now >= deadline) {
        client.held_since.reset();
        hold_expired_.fetch_add(1, std::memory_order_relaxed);
        return {GateVerdict::Repeat};
    }
    if (!recheck) held_.fetch_add(1, std::memory_order_relaxed);
    return {GateVerdict::Hold, deadline};
}

GateCounters SampleGate::Counters() const noexcept {
    constexpr auto relaxed = std::memory_order_relaxed;
    return {served_new_.load(relaxed),   repeated_.load(relaxed), held_.load(relaxed),
            hold_expired_.load(relaxed), dropped_.load(relaxed),  evicted_.load(relaxed)};
}

std::size_t SampleGate::Clients() const noexcept {
    std::lock_guard lock(mutex_);
    return clients_.size();
}

} // namespace meteremu
