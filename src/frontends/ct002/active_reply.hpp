// SPDX-License-Identifier: MIT
// Active mode's reply (docs/protocols/ct002.md#active-mode): a battery that regulates
// with others on one meter gets its own part of the grid (balancer.hpp), of the sum of the
// phases shared with every steered battery whatever its phase (or, by phase, of its phase's),
// instead of the grid and a count to divide it by. The reply carries that part where the battery
// reads its phase, counts the battery alone (it must not divide again) and puts what it is told to
// reach (reported + part) in its bucket's sums. Each reading's correction is handed out
// once: a battery answered again on the same reading gets 0 and holds.
#pragma once

#include "core/meter_state.hpp"
#include "frontends/ct002/balancer.hpp"
#include "frontends/ct002/ct002_frame.hpp"
#include "frontends/ct002/ct002_frontend.hpp"
#include "frontends/ct002/meter_memory.hpp"

#include <cstdint>
#include <vector>

namespace meteremu::ct002 {

/// A battery's weight, by its MAC's 48 bits (MacKey).
struct KeyedWeight {
    std::uint64_t key = 0;
    double weight = 1;
};

/// What active mode steers by: fixed per configuration.
struct Steering {
    BalanceSettings balance;
    std::vector<KeyedWeight> weights; ///< a battery not listed weighs 1
    bool by_phase = false;            ///< each phase's batteries on their own, not the sum
};

/// Whether a meter whose live batteries add up to `totals` answers in active mode: under
/// "auto" while more than one battery regulates on it (on a phase or on the sum). Inline:
/// every relay poll asks.
inline bool ServesActive(Ct002Mode mode, const BucketTotals& totals) noexcept {
    if (mode != Ct002Mode::Auto) return mode == Ct002Mode::Active;
    // Bucket x has no count: a battery detecting its phase regulates on nothing yet.
    return totals.counts[1] + totals.counts[2] + totals.counts[3] + totals.counts[4] > 1;
}

/// Fills the grid, counts and sums of `reply` in active mode for the battery whose poll
/// `memory` noted last (BatteryTable::Recorded), from `view` (which has a reading) at `now`,
/// and notes what it was told. False, leaving `reply` as it was, for a battery that is not
/// steered (detecting its phase, or not participating): it is answered as in relay mode.
/// Allocates nothing.
bool FillActive(Reply& reply, MeterMemory& memory, const MeterView& view, SteadyTime now,
                const Steering& steering) noexcept;

} // namespace meteremu::ct002
