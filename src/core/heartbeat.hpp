// SPDX-License-Identifier: MIT
// A counter a loop bumps on every iteration; a supervisor (the systemd watchdog) compares it
// between two checks to tell "alive" from "hung". Ticking says nothing about success: a
// poller whose gateway is down still ticks.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace meteremu {

/// Every loop the watchdog watches ticks its heartbeat at least this often, whatever it waits
/// for (a datagram, a socket event, the next poll), so a long poll_interval or a quiet port
/// does not look hung. Well below the shortest check interval that makes sense
/// (WatchdogSec=2s checks every second): ticks a whole period apart could otherwise straddle
/// a check window and miss it. Four wake-ups a second cost nothing measurable.
inline constexpr std::chrono::milliseconds kHeartbeatPeriod{250};

class Heartbeat {
public:
    void Tick() noexcept { ticks_.fetch_add(1, std::memory_order_relaxed); }
    std::uint64_t Ticks() const noexcept { return ticks_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> ticks_{0};
};

} // namespace meteremu
