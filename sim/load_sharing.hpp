// SPDX-License-Identifier: MIT
// Sharing one phase's demand among the batteries regulating on it, as an emulated meter that
// steers each battery on its own would (the "active mode" of another project's CT002
// emulation), for the simulator to measure against relay mode; meteremu does not ship it
// (docs/simulator.md#several-batteries-on-one-meter says why). A battery adds what it reads
// to its output. Each gets its weight's share of the grid error, as a real CT002's count makes
// each battery correct its share, plus a part of how far its output is from its share of
// the group's: a split that started uneven evens out, at a pace the gain sets (1: at once,
// which a battery slower than the others or stuck at its limit turns into a swing).
// Outputs are those the batteries reported when the grid was measured, so that a correction
// made after the measurement is not counted against the next battery polling before it shows.
#pragma once

#include <cstddef>
#include <span>

namespace meteremu::sim {

struct SharedBattery {
    double output_at_sample_w = 0; ///< its output when the grid was measured, + discharging
    double weight = 1;             ///< its part of the demand, relative to the others'
    bool charges_from_ac = true;   ///< false: it cannot take power from the grid
};

/// The reading to send `group[self]` for `grid_w`, measured when the group's outputs were
/// those given. While the group must charge (the grid plus their outputs below 0), a battery
/// that cannot charge from AC has no share: it is steered to 0 and the others take its part.
double SharedReading(std::span<const SharedBattery> group, std::size_t self, double grid_w,
                     double balance_gain);

} // namespace meteremu::sim
