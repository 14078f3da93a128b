// SPDX-License-Identifier: MIT
// The simulated clock: whole microseconds since the start of a run, so that event order is
// exact and a run replays bit for bit from its seed. The house and the batteries advance in
// ticks of kTick; replies and samples land between ticks at their own microsecond.
#pragma once

#include "core/clock.hpp"

#include <chrono>
#include <cstdint>

namespace meteremu::sim {

using SimTime = std::int64_t; ///< µs since the start of the run

inline constexpr SimTime kMicrosPerSecond = 1'000'000;
inline constexpr SimTime kTick = 10'000; ///< 10 ms: the house and the inverters' resolution

constexpr SimTime FromSeconds(double seconds) noexcept {
    return static_cast<SimTime>(seconds * static_cast<double>(kMicrosPerSecond) +
                                (seconds >= 0 ? 0.5 : -0.5));
}

constexpr double ToSeconds(SimTime time) noexcept {
    return static_cast<double>(time) / static_cast<double>(kMicrosPerSecond);
}

/// The steady-clock instant meteremu's MeterState sees for a simulated time: a fixed epoch
/// plus the simulated duration, so freshness counts exactly as in the daemon.
inline SteadyTime ToSteady(SimTime time) noexcept {
    return SteadyTime{} + std::chrono::hours(1) + std::chrono::microseconds(time);
}

} // namespace meteremu::sim
