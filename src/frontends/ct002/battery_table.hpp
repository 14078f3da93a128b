// SPDX-License-Identifier: MIT
// The batteries one emulated CT has heard from, keyed by battery MAC (a battery keeps it
// across address and port changes), as a real CT keeps a few slots: what each reported last
// and how often it polls. A battery that stops polling is forgotten after twice its own poll
// interval (at least 5 s, at most 60 s; 30 s until two polls showed its interval), so the
// counts the others divide by follow the batteries that are really there.
#pragma once

#include "core/clock.hpp"
#include "frontends/ct002/ct002_frame.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace meteremu::ct002 {

struct Battery {
    std::uint64_t key = 0; ///< the MAC's 48 bits
    std::string type;      ///< e.g. "HMG-50"
    std::string mac;       ///< as the battery spells it
    Phase phase = Phase::Detecting;
    std::int32_t power = 0; ///< W, + discharging
    bool participates = true;
    SteadyTime first_seen{};
    SteadyTime last_seen{};
    /// Its poll before the latest; the clock's epoch for a battery new at the latest.
    SteadyTime previous_seen{};
    /// The mean time between its polls (exponential, 0 until a second poll).
    Seconds poll_interval{0};
    /// The reading (MeterView::sample) of its latest reply, in either mode; 0: none yet.
    /// Active mode tells a battery each reading's correction once (active_reply.hpp).
    std::uint64_t answered_sample = 0;
    /// What active mode told it last, W: the reading, and the power to reach (reported +
    /// reading; nullopt while it is answered as in relay mode), for the status page.
    std::int32_t reading_w = 0;
    std::optional<std::int32_t> target_w = std::nullopt;
    /// When active mode last let it take a balancing step (balancer.hpp).
    SteadyTime stepped_at{};
};

/// What the live, participating batteries add up to, per bucket (x, A, B, C, ABC).
struct BucketTotals {
    std::array<std::int32_t, kBuckets> counts{};
    std::array<std::int32_t, kBuckets> charging{};    ///< sums of negative powers
    std::array<std::int32_t, kBuckets> discharging{}; ///< sums of positive powers
};

class BatteryTable {
public:
    /// More batteries than a site has; a real CT keeps 9.
    static constexpr std::size_t kCapacity = 16;

    /// Notes a poll of `request` at `now`: updates its battery or adds it, in place of one
    /// forgotten or, when full, of the one heard from longest ago.
    void Record(const Request& request, SteadyTime now);

    /// The totals over the batteries still live at `now`.
    BucketTotals Totals(SteadyTime now) const noexcept;

    /// The batteries still live at `now`, in the order first heard.
    std::vector<Battery> Live(SteadyTime now) const;

    /// How long `battery` stays live after its last poll.
    static Seconds TimeToLive(const Battery& battery) noexcept;
    static bool IsLive(const Battery& battery, SteadyTime now) noexcept;

    /// The battery the latest Record() noted: the one whose poll is being answered.
    Battery& Recorded() noexcept { return batteries_[recorded_]; }

    /// Every slot in use, live or not, by slot: for active mode, which reads them all at each
    /// poll without copying (Live() allocates).
    std::span<const Battery> Slots() const noexcept { return std::span(batteries_).first(used_); }

    /// Makes this copy of `from` equal again after one Record() on `from`: copies the one
    /// battery it changed.
    void Follow(const BatteryTable& from) {
        batteries_[from.recorded_] = from.batteries_[from.recorded_];
        used_ = from.used_;
        recorded_ = from.recorded_;
    }

private:
    Battery& SlotFor(std::uint64_t key, SteadyTime now);

    std::array<Battery, kCapacity> batteries_{};
    std::size_t used_ = 0;
    std::size_t recorded_ = 0; ///< the slot the latest Record() changed
};

/// The 48 bits of a 12-digit hex MAC in either case; 0 for anything else.
std::uint64_t MacKey(std::string_view mac) noexcept;

} // namespace meteremu::ct002
