// SPDX-License-Identifier: MIT
#include "frontends/ct002/active_reply.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <limits>
#include <span>

namespace meteremu::ct002 {
namespace {

/// The grid a battery regulates on: the sum of the phases, or by phase its phase's (the
/// total for one regulating on the sum).
double GridOf(const Reading& reading, Phase phase, bool by_phase) noexcept {
    if (!by_phase || phase == Phase::Sum) return reading.TotalActPower();
    return reading.phases[BucketOf(phase) - 1].act_power;
}

double WeightOf(const Steering& steering, std::uint64_t key) noexcept {
    auto found = std::ranges::find(steering.weights, key, &KeyedWeight::key);
    return found == steering.weights.end() ? 1.0 : found->weight;
}

/// On a new reading, notes what every battery reported last: the outputs the reading's grid
/// was measured with. A battery that reports a new output before its own reply on that
/// reading is still shared out as it was, so every reply on one reading splits the same grid
/// over the same outputs and the parts add up to it.
void TakeSnapshot(MeterMemory& memory, std::uint64_t sample) noexcept {
    if (memory.snapshot_sample == sample) return;
    memory.snapshot_sample = sample;
    std::span<const Battery> slots = memory.batteries.Slots();
    for (std::size_t slot = 0; slot < slots.size(); ++slot)
        memory.snapshot[slot] = {slots[slot].key, slots[slot].power};
}

/// A battery's output when the reading came; for one new since, what it reports now.
double OutputAtSnapshot(const MeterMemory& memory, std::size_t slot,
                        const Battery& battery) noexcept {
    const SnapshotEntry& entry = memory.snapshot[slot];
    return entry.key == battery.key ? entry.power_w : battery.power;
}

/// Whether `me` may take a balancing step now: its interval passed since its last one, and
/// the grid has been still for kStill. Notes the step's time when it may.
bool MayStep(MeterMemory& memory, Battery& me, double grid_w, SteadyTime now,
             const BalanceSettings& balance) noexcept {
    constexpr Seconds kStill{10.0};
    if (std::abs(grid_w) >= MovingGridW(balance)) memory.moving_at = now;
    double interval = BalanceInterval(balance);
    bool may = interval > 0 && now - memory.moving_at >= kStill &&
               now - me.stepped_at >= Seconds(interval);
    if (may) me.stepped_at = now;
    return may;
}

/// The part of `grid_w` for `me` among the live participating batteries that regulate with it:
/// every one that is steered, or by phase those of its bucket.
double PartOf(const MeterMemory& memory, const Battery& me, double grid_w, SteadyTime now,
              const Steering& steering, bool may_step) noexcept {
    std::array<Participant, BatteryTable::kCapacity> group{};
    std::array<double, BatteryTable::kCapacity> parts{};
    std::size_t count = 0;
    std::size_t mine = 0;
    std::span<const Battery> slots = memory.batteries.Slots();
    for (std::size_t slot = 0; slot < slots.size(); ++slot) {
        const Battery& battery = slots[slot];
        bool with_me =
            steering.by_phase ? battery.phase == me.phase : battery.phase != Phase::Detecting;
        if (!battery.participates || !with_me || !BatteryTable::IsLive(battery, now)) continue;
        if (&battery == &me) mine = count;
        group[count++] = {OutputAtSnapshot(memory, slot, battery), WeightOf(steering, battery.key),
                          ChargesFromGrid(battery.type), false};
    }
    group[mine].may_step = may_step;
    ShareReadings(std::span(group).first(count), grid_w, steering.balance,
                  std::span(parts).first(count));
    return parts[mine];
}

/// Spreads `watts` over the three phases evenly, adding up to it exactly: a battery on the
/// sum reads the total; the phases only have to agree with it.
void SpreadOverPhases(std::int32_t watts, std::array<std::int32_t, 3>& phases) noexcept {
    const std::int32_t third = watts / 3;
    const std::int32_t rest = watts - 3 * third; // -2 … 2, the sign of watts
    const std::int32_t step = rest < 0 ? -1 : 1;
    for (std::size_t i = 0; i < phases.size(); ++i)
        phases[i] = third + (static_cast<std::size_t>(std::abs(rest)) > i ? step : 0);
}

/// A steered battery's reply: `reading` where it looks, the battery counted alone, and what
/// it is told to reach in its bucket's sums; every other bucket empty.
void WriteSteered(Reply& reply, Battery& me, std::int32_t reading) noexcept {
    const std::size_t bucket = BucketOf(me.phase);
    reply.grid = {};
    reply.counts = {};
    reply.charging = {};
    reply.discharging = {};
    if (me.phase == Phase::Sum)
        SpreadOverPhases(reading, reply.grid);
    else
        reply.grid[bucket - 1] = reading;
    reply.grid_total = reading;
    reply.counts[bucket - 1] = 1;
    const auto target = static_cast<std::int32_t>(std::clamp<std::int64_t>(
        std::int64_t{me.power} + reading, std::numeric_limits<std::int32_t>::min(),
        std::numeric_limits<std::int32_t>::max()));
    (target < 0 ? reply.charging : reply.discharging)[bucket] = target;
    me.reading_w = reading;
    me.target_w = target;
}

} // namespace

bool FillActive(Reply& reply, MeterMemory& memory, const MeterView& view, SteadyTime now,
                const Steering& steering) noexcept {
    Battery& me = memory.batteries.Recorded();
    if (me.phase == Phase::Detecting || !me.participates) return false;
    TakeSnapshot(memory, view.sample);
    // Asked again on a reading it was answered on: it added that correction already.
    double reading = 0;
    if (me.answered_sample != view.sample) {
        double grid = GridOf(*view.reading, me.phase, steering.by_phase);
        bool may_step = MayStep(memory, me, grid, now, steering.balance);
        reading = PartOf(memory, me, grid, now, steering, may_step);
        reading = Paced(reading, Seconds(now - me.previous_seen).count(), steering.balance);
    }
    WriteSteered(reply, me, PhaseWatts(reading));
    return true;
}

} // namespace meteremu::ct002
