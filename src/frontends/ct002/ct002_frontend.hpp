// SPDX-License-Identifier: MIT
// type = "ct002": Marstek's CT002 (HME-4) or CT003 (HME-3) smart meter, which Venus, B2500
// and Jupiter batteries poll on UDP 12345. Relay mode, as the real meter: each battery gets
// the grid per phase, how many batteries share each phase (it divides its phase's value by
// that count) and what they charge and discharge, so several batteries share a load instead
// of each correcting all of it. Active mode: each battery regulating with others gets its
// own part of the grid, counted alone (ct002/balancer.hpp, ct002/active_reply.hpp). See
// docs/protocols/ct002.md.
#pragma once

#include "core/mac_address.hpp"
#include "frontends/ct002/balancer.hpp"
#include "frontends/frontend.hpp"

#include <memory>
#include <string>
#include <vector>

namespace meteremu {

/// How the meter answers a battery that regulates on a phase or on the sum.
enum class Ct002Mode : std::uint8_t {
    Auto,   ///< active while more than one battery regulates on the meter, else relay
    Relay,  ///< as a real CT002: the grid, the counts, the reported sums
    Active, ///< each its own part of the grid (ct002/balancer.hpp)
};

/// A battery's part of the load in active mode, relative to the others'.
struct Ct002Weight {
    MacAddress battery;
    double weight = 1;
};

/// [frontend] keys of type = "ct002".
struct Ct002Options : FrontendOptions {
    /// From `ct_type`: "HME-4" (CT002) or "HME-3" (CT003): the type chosen in the app.
    std::string ct_type = "HME-4";
    /// From `ct_mac` (one, or a list of up to kMaxMeters): the meters emulated on the port,
    /// each with batteries of its own; a poll for another meter gets no answer, one for any
    /// (000000000000) the first. Empty: one meter answering every poll, echoing the MAC the
    /// battery asked for.
    std::vector<MacAddress> ct_macs;
    static constexpr std::size_t kMaxMeters = 8;
    /// From `mode`: "auto" (the default; with one battery relay and active read the same,
    /// and relay is what a real CT sends), "relay" or "active".
    Ct002Mode mode = Ct002Mode::Auto;
    /// From `balance_gain`, `dc_floor` and `pace`: the simulator's defaults.
    ct002::BalanceSettings balance;
    /// From `weights`, by battery MAC, each at most once; a battery not listed weighs 1.
    std::vector<Ct002Weight> weights;
    /// From `regulate_on`: "sum" (the default: the steered batteries share the sum of the
    /// phases, which a meter that nets the phases bills) or "phase" (each phase on its own).
    bool by_phase = false;
};

std::unique_ptr<Frontend> CreateCt002Frontend(const Ct002Options& options,
                                              const FrontendContext& context);

extern const FrontendPlugin ct002_frontend_plugin;

} // namespace meteremu
