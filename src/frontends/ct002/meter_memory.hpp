// SPDX-License-Identifier: MIT
// What each CT002 emulated on one port keeps between polls, and its part of the status page.
#pragma once

#include "frontends/ct002/battery_table.hpp"
#include "frontends/ct002/ct002_frontend.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace meteremu::ct002 {

/// A battery's reported power when a reading came, for active mode: the output the grid
/// of that reading was measured with.
struct SnapshotEntry {
    std::uint64_t key = 0; ///< the battery's; another in its slot since has no entry
    std::int32_t power_w = 0;
};

/// What one emulated meter keeps between polls: its batteries and its reply index.
struct MeterMemory {
    std::uint64_t key = 0; ///< its MAC's bits; 0: the meter that answers every poll
    BatteryTable batteries;
    std::uint8_t index = 0;
    std::uint64_t last_used = 0;
    /// Whether its latest reply was in active mode (the status page's "mode").
    bool active = false;
    /// Active mode: the reading (MeterView::sample) `snapshot` was taken at, and each
    /// battery's power then, by its slot in `batteries` (active_reply.hpp).
    std::uint64_t snapshot_sample = 0;
    std::array<SnapshotEntry, BatteryTable::kCapacity> snapshot{};
    /// When a reading last showed the grid its steered batteries share moving (at least a
    /// balancing step away from zero): balancing steps wait for a still grid.
    SteadyTime moving_at{};
};

/// The memories of the meters on one port, found by MAC whatever the order of the
/// configuration, so they survive reloads; a meter new since a reload takes the slot of one
/// that is gone (the slot used longest ago).
class MeterMemories {
public:
    MeterMemory& Of(std::uint64_t key) noexcept {
        auto used = std::span(meters_).first(used_);
        auto found = std::ranges::find(used, key, &MeterMemory::key);
        MeterMemory* memory = found != used.end() ? &*found : nullptr;
        if (!memory && used_ < meters_.size()) memory = &meters_[used_++];
        if (!memory) memory = &*std::ranges::min_element(used, {}, &MeterMemory::last_used);
        renewed_ = memory->key != key;
        if (renewed_) {
            *memory = MeterMemory{};
            memory->key = key;
        }
        memory->last_used = ++uses_;
        touched_ = static_cast<std::size_t>(memory - meters_.data());
        return *memory;
    }

    /// Makes this copy of `from` equal again after one poll on `from` (an Of() and a Record()
    /// of the meter it returned): copies only what the poll changed, so the UDP thread can keep
    /// the status page's copy current at each poll for the price of one battery.
    void Follow(const MeterMemories& from) {
        const MeterMemory& theirs = from.meters_[from.touched_];
        MeterMemory& mine = meters_[from.touched_];
        if (from.renewed_) {
            mine = theirs;
        } else {
            mine.key = theirs.key;
            mine.index = theirs.index;
            mine.last_used = theirs.last_used;
            mine.active = theirs.active; // the page shows no snapshot: left behind
            mine.batteries.Follow(theirs.batteries);
        }
        used_ = from.used_;
        uses_ = from.uses_;
    }

    /// The meters in use, for the status page.
    std::span<const MeterMemory> Used() const noexcept { return std::span(meters_).first(used_); }

private:
    std::array<MeterMemory, Ct002Options::kMaxMeters> meters_;
    std::size_t used_ = 0;
    std::uint64_t uses_ = 0;
    std::size_t touched_ = 0; ///< the meter the latest Of() returned
    bool renewed_ = false;    ///< that Of() gave the meter's slot to another MAC
};

/// The batteries each meter counts, as the status page shows them: {"meters":[{"ct_mac":
/// "02b250a1b2c3" (or null: any), "mode": "relay" or "active" (its latest reply), "batteries":
/// [{"type", "mac", "phase", "power_w", "target_w" (null unless steered), "counted",
/// "poll_interval_s", "first_seen_s_ago", "last_seen_s_ago"}]}]}.
std::string MetersStatusJson(std::span<const MeterMemory> meters, SteadyTime now);

} // namespace meteremu::ct002
