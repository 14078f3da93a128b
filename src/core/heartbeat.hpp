// SPDX-License-Identifier: MIT
// A counter a loop bumps on every iteration; a supervisor (the systemd watchdog) compares it
// between two checks to tell "alive" from "hung". Ticking says nothing about success: a
// poller whose gateway is down still ticks.
#pragma once

#include <atomic>
#include <cstdint>

namespace meteremu {

class Heartbeat {
public:
    void Tick() noexcept { ticks_.fetch_add(1, std::memory_order_relaxed); }
    std::uint64_t Ticks() const noexcept { return ticks_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> ticks_{0};
};

} // namespace meteremu
