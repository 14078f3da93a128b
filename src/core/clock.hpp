// SPDX-License-Identifier: MIT
// The clocks and durations every room speaks in: freshness counts on the steady clock, a
// source's measurement time is wall-clock time, and configured periods are seconds.
#pragma once

#include <chrono>

namespace meteremu {

using SteadyTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;
using Seconds = std::chrono::duration<double>;

} // namespace meteremu
