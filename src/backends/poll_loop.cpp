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
    std::unique_lock lock(mutex_);
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::duration_cast<std::chrono::steady_clock::duration>(duration);
    return !wake_.wait_until(lock, stop, deadline, [] { return false; });
}

void PollLoop::Run(std::stop_token stop, Poll poll) noexcept {
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
        std::unique_lock lock(mutex_);
        auto deadline =
            started + std::chrono::duration_cast<std::chrono::steady_clock::duration>(wait);
        wake_.wait_until(lock, stop, deadline, [] { return false; });
    }
}

} // namespace meteremu
