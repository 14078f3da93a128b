// SPDX-License-Identifier: MIT
// One measurement of the grid connection, as a three-phase energy meter sees it.
// Sign convention (the Envoy net-consumption CT and the Shelly Pro 3EM agree):
// active power is positive while importing from the grid and negative while exporting.
#pragma once

#include "core/clock.hpp"

#include <array>
#include <cstddef>

namespace meteremu {

enum class Phase : std::size_t { A = 0, B = 1, C = 2 };
inline constexpr std::size_t kPhaseCount = 3;

struct PhaseReading {
    double voltage = 0;      ///< V, line to neutral
    double current = 0;      ///< A, never negative
    double act_power = 0;    ///< W, + import, − export
    double aprt_power = 0;   ///< VA, never negative
    double power_factor = 0; ///< −1 … 1, signed like act_power
    double frequency = 0;    ///< Hz
    double import_wh = 0;    ///< lifetime energy taken from the grid, monotonic
    double export_wh = 0;    ///< lifetime energy returned to the grid, monotonic
};

struct Reading {
    std::array<PhaseReading, kPhaseCount> phases{};
    WallTime measured_at{};   ///< when the source measured it
    SteadyTime received_at{}; ///< when meteremu received it; freshness counts from here

    PhaseReading& operator[](Phase phase) noexcept { return phases[static_cast<size_t>(phase)]; }
    const PhaseReading& operator[](Phase phase) const noexcept {
        return phases[static_cast<size_t>(phase)];
    }

    double TotalActPower() const noexcept;
    double TotalAprtPower() const noexcept;
    double TotalCurrent() const noexcept;
    double TotalImportWh() const noexcept;
    double TotalExportWh() const noexcept;
};

/// P/S, or 0 without apparent power; clamped to −1 … 1 against rounding in the source.
double PowerFactor(double act_power, double aprt_power) noexcept;

} // namespace meteremu
