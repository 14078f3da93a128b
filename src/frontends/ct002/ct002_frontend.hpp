// SPDX-License-Identifier: MIT
// type = "ct002": Marstek's CT002 (HME-4) or CT003 (HME-3) smart meter, which Venus, B2500
// and Jupiter batteries poll on UDP 12345. Relay mode, as the real meter: each battery gets
// the grid per phase, how many batteries share each phase (it divides its phase's value by
// that count) and what they charge and discharge, so several batteries share a load instead
// of each correcting all of it. See docs/protocols/ct002.md.
#pragma once

#include "core/mac_address.hpp"
#include "frontends/frontend.hpp"

#include <memory>
#include <string>
#include <vector>

namespace meteremu {

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
};

std::unique_ptr<Frontend> CreateCt002Frontend(const Ct002Options& options,
                                              const FrontendContext& context);

extern const FrontendPlugin ct002_frontend_plugin;

} // namespace meteremu
