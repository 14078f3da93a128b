// SPDX-License-Identifier: MIT
// A named thread that runs one poll after another on a fixed cadence until stopped.
// The poll returns how long to wait before the next one (a backend backs off by returning a
// longer wait); the wait counts from the start of the poll, so the cadence does not drift.
// The loop ticks a Heartbeat on every iteration and at least every kHeartbeatPeriod while it
// sleeps, so the systemd watchdog can tell a hung poller from one that waits or whose gateway is
// down.
#pragma once

#include "core/heartbeat.hpp"
#include "core/reading.hpp"

#include <condition_variable>
#include <functional>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

namespace meteremu {

class PollLoop {
public:
    /// Returns the wait before the next poll. Exceptions escaping it are logged by the loop.
    using Poll = std::function<Seconds(std::stop_token)>;

    /// `name` names the thread (at most 15 characters are kept) and the log lines.
    PollLoop(std::string name, Heartbeat& heartbeat);
    ~PollLoop() { Stop(); }

    PollLoop(const PollLoop&) = delete;
    PollLoop& operator=(const PollLoop&) = delete;

    /// Starts the thread; the first poll runs at once. Throws std::system_error.
    void Start(Poll poll);

    /// Asks the loop to stop, wakes it and joins it. Idempotent.
    void Stop() noexcept;

    /// Sleeps inside a poll (e.g. between retries); false when stop was requested.
    bool SleepFor(std::stop_token stop, Seconds duration);

private:
    void Run(std::stop_token stop, const Poll& poll) noexcept;
    void SleepUntil(std::stop_token stop, SteadyTime deadline);

    std::string name_;
    Heartbeat& heartbeat_;
    std::mutex mutex_;
    std::condition_variable_any wake_;
    std::jthread thread_;
};

} // namespace meteremu
