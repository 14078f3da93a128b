// SPDX-License-Identifier: MIT
#include "backends/poll_loop.hpp"

#include "platform/log.hpp"

#include <cstdlib>
#include <filesystem>
#include <pthread.h>

namespace meteremu {
namespace {

constexpr log::Domain kDomain{"backend"};

/// After an unexpected exception the loop waits this long rather than spinning.
constexpr Seconds kRetryAfterCrash{5.0};

/// TEST ONLY. While the file named by METEREMU_TEST_STALL_FILE exists, the loop stops
/// polling and ticking, as a hung poller would (it still obeys Stop). The watchdog tests use
/// it to show that a hung poller stops the WATCHDOG=1 pings; nothing else should set it.
std::string StallFileForTests() {
    const char* path = std::getenv("METEREMU_TEST_STALL_FILE");
    return path ? path : "";
}

bool Exists(const std::string& path) noexcept {
    std::error_code error;
    return std::filesystem::exists(path, error);
}

} // namespace

PollLoop::PollLoop(std::string name, Heartbeat& heartbeat)
    : name_(std::move(name)), heartbeat_(heartbeat), stall_file_(StallFileForTests()) {}

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

void PollLoop::StallWhileTestFileExists(std::stop_token stop) {
    if (stall_file_.empty() || !Exists(stall_file_)) return;
    log::Warning(kDomain, name_, ": stalled by the test hook METEREMU_TEST_STALL_FILE");
    std::unique_lock lock(mutex_);
    while (!stop.stop_requested() && Exists(stall_file_))
        wake_.wait_for(lock, stop, std::chrono::milliseconds(50), [] { return false; });
    log::Notice(kDomain, name_, ": test stall released");
}

void PollLoop::SleepUntil(std::stop_token stop, SteadyTime deadline) {
    std::unique_lock lock(mutex_);
    while (!stop.stop_requested() && std::chrono::steady_clock::now() < deadline) {
        auto beat = std::chrono::steady_clock::now() + kHeartbeatPeriod;
        wake_.wait_until(lock, stop, std::min(deadline, beat), [] { return false; });
        heartbeat_.Tick();
    }
}

void PollLoop::Run(std::stop_token stop, const Poll& poll) noexcept {
    while (!stop.stop_requested()) {
        heartbeat_.Tick();
        StallWhileTestFileExists(stop);
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
