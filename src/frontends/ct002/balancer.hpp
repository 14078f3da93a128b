// SPDX-License-Identifier: MIT
// Active balancing: what the emulated CT tells each battery of one phase (or of the sum) so
// that together they correct the grid once and end up sharing the load by their weights.
// A battery adds what it reads to its output; relay mode sends each the grid divided by the
// count, and leaves an uneven split as it is. Here each battery gets the part of the grid
// error it can take (a DC-coupled battery cannot charge from the grid, nor go below the
// least output it keeps while running), plus a bounded part of the distance between its
// output and its share of what the group must deliver. The parts sum to the grid error, so
// the group corrects it once. The simulator measured the defaults (docs/simulator.md).
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace meteremu::ct002 {

struct BalanceSettings {
    /// How much the grid error's split leans toward the batteries whose way to their share
    /// lies in its direction (0: split by weight only, as relay mode; 1: only toward shares).
    double gain = 0.3;
    /// The least output a DC-coupled battery keeps once it runs (a B2500 keeps about 80 W).
    double dc_floor_w = 80;
    /// Evening out at a still grid: a battery away from its share is moved a step of
    /// `balance_step_w` toward it at most this often, W per second (0: never; the split's
    /// leaning then evens the batteries out only as the grid moves).
    double balance_rate_w_per_s = 10;
    /// The step: more than the firmwares' deadbands (a Venus ignores 10–20 W, a B2500 10 W).
    double balance_step_w = 25;
    /// A reading moves a battery at most this much per second since its previous poll
    /// (0: unpaced; the batteries ramp on their own, and pacing measured worse).
    double pace_w_per_s = 0;
};

struct Participant {
    double output_w = 0;     ///< as it reported when the grid was measured, + discharging
    double weight = 1;       ///< its part of the load, relative to the others'
    bool ac_charging = true; ///< false: DC-coupled, it cannot take power from the grid
    bool may_step = false;   ///< its time for a balancing step has come (BalanceSettings)
};

/// A grid reading this far from zero is a moving grid: balancing steps wait until none has
/// come for a while. Twice a step, so that the steps themselves do not count.
inline double MovingGridW(const BalanceSettings& settings) noexcept {
    return 2 * settings.balance_step_w;
}

/// Seconds between two balancing steps of one battery under `settings`; 0: none.
double BalanceInterval(const BalanceSettings& settings) noexcept;

/// The reading for each of `group` (W, + import), into `readings` (as many as `group`), for
/// the grid error `grid_w` of their phase (+ import) measured while they output as given.
void ShareReadings(std::span<const Participant> group, double grid_w,
                   const BalanceSettings& settings, std::span<double> readings);

/// `reading` within the pace of `settings`, for a battery that polled `seconds` ago.
double Paced(double reading, double seconds, const BalanceSettings& settings) noexcept;

/// Whether a battery of this type (the request's first field) charges from the grid: the
/// B2500 family (HMA, HMB, HMJ, HMK) and the Jupiter (JPLS) are DC-coupled and do not.
bool ChargesFromGrid(std::string_view battery_type) noexcept;

} // namespace meteremu::ct002
