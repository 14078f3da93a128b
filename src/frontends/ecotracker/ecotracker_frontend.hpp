// SPDX-License-Identifier: MIT
// type = "ecotracker": an everHome EcoTracker, the IR reading head EcoFlow, Jackery,
// Hoymiles, Growatt and others accept as their grid meter. HTTP only: GET /v1/json with
// exactly Content-Type and Content-Length, on a connection that stays open; mDNS
// _everhome._tcp. See docs/protocols/ecotracker.md.
#pragma once

#include "core/mac_address.hpp"
#include "frontends/frontend.hpp"

#include <optional>
#include <string>

namespace meteremu {

/// [frontend] keys of type = "ecotracker".
struct EcoTrackerOptions : FrontendOptions {
    /// From `mac`; empty: derived from /etc/machine-id when the frontend is created.
    std::optional<MacAddress> mac;
    /// From `serial`: 12 lower-case hex digits; empty: the MAC's.
    std::string serial;
    /// From `average_window`: the span powerAvg averages over.
    Seconds average_window{60.0};
};

std::unique_ptr<Frontend> CreateEcoTrackerFrontend(const EcoTrackerOptions& options,
                                                   const FrontendContext& context);

extern const FrontendPlugin ecotracker_frontend_plugin;

} // namespace meteremu
