// SPDX-License-Identifier: MIT
#include "backends/poll_loop.hpp"

#include "platform/log.hpp"

#include <pthread.h>

namespace meteremu {
namespace {

constexpr log::Domain kDomain{"backend"};

/// After an unexpected exception the loop waits this long rather than spinning.
constexpr Seconds kRetryAfterCrash{5.0};

} // namespace

PollLoop::PollLoop(std::string name, Heartbeat& heartbeat)
    : name_(std::move(name)), heartbeat_(heartbeat) {}

void PollLoop::Start(Poll poll) {
    thread_ =
        std::jthread([this, poll = std::move(poll)](std::stop_token stop) { Run(stop, poll); });
    pthread_setname_np(thread_.native_handle(), name_.substr(0, 15).c_str());
}

void PollLoop::Stop() noexcept {
    if (!thread_.joinable()) return;
    thread_.request_stop();
    wake_.notify_all();
    thread_.join();
}

bool PollLoop::SleepFor(std::stop_token stop, Seconds duration) {
    SleepUntil(stop, std::chrono::steady_clock::now() +
                         std::chrono::duration_cast<SteadyTime::duration>(duration));
    return !stop.stop_requested();
}

void PollLoop::SleepUntil(std::stop_token stop, SteadyTime deadline) {
    std::unique_lock lock(mutex_);
    while (!stop.stop_requested() && std::chrono::steady_clock::now() < deadline) {
        // kHeartbeatPeriod (core/heartbeat.hpp): a long poll_interval must not look like a
        // hung poller to the watchdog.
        auto beat = std::chrono::steady_clock::now() + kHeartbeatPeriod;
        wake_.wait_until(lock, stop, std::min(deadline, beat), [] { return false; });
        heartbeat_.Tick();
    }
}

void PollLoop::Run(std::stop_token stop, const Poll& poll) noexcept {
    while (!stop.stop_requested()) {
        heartbeat_.Tick();
        auto started = std::chrono::steady_clock::now();
        Seconds wait = kRetryAfterCrash;
        try {
            wait = poll(stop);
        } catch (...) {
            log::Error(kDomain, name_,
                       ": poll failed unexpectedly: ", log::DescribeCurrentException());
        }
        SleepUntil(stop, started + std::chrono::duration_cast<SteadyTime::duration>(wait));
    }
}

} // namespace meteremu
