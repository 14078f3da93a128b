// SPDX-License-Identifier: MIT
// What a user may do to the served active power, per frontend, after the site mapping: a
// per-phase offset (e.g. keep 20 W of import so a battery never exports), a per-phase scale
// with its sign, and a slew limit in W/s. All off by default. Time-based, never per poll:
// the slew limit counts the time between two readings (Reading::received_at), so a battery
// that polls 7× faster than another sees the same values.
#pragma once

#include "core/reading.hpp"

#include <array>
#include <optional>

namespace meteremu {

struct SignalShaping {
    /// W added to each phase's active power (+ toward import), after the scale.
    std::array<double, kPhaseCount> offset{0, 0, 0};
    /// Each phase's active power is multiplied by this (−1 swaps import and export).
    std::array<double, kPhaseCount> scale{1, 1, 1};
    /// The most a phase's served active power moves per second; 0: no limit.
    double slew_limit = 0;

    /// Whether any of it changes a reading.
    bool Active() const noexcept;
    friend bool operator==(const SignalShaping&, const SignalShaping&) = default;
};

/// `reading` (already mapped to the site) with each phase's active power scaled, offset and,
/// when `previous` (the last reading served) is given and slew_limit is set, moved toward its
/// target by at most slew_limit × the seconds between the two readings. Current and apparent
/// power follow the scale's magnitude; the power factor follows the new active power (the
/// apparent power is raised to at least |active| so it stays within −1 … 1).
Reading Shape(const Reading& reading, const SignalShaping& shaping,
              const Reading* previous) noexcept;

} // namespace meteremu
