// SPDX-License-Identifier: MIT
// type = "shelly_gen1": a Shelly 3EM of the first generation (SHEM-3), for the clients that
// only read Gen1 meters over REST (OpenDTU-OnBattery, the Indielux Einspeisewächter).
// HTTP only: /shelly, /status, /emeter/<0..2>, /settings; optional Basic authentication;
// mDNS host shellyem3-<MAC> on _http._tcp. See docs/protocols/shelly-gen1.md.
#pragma once

#include "core/mac_address.hpp"
#include "frontends/frontend.hpp"

#include <optional>
#include <string>

namespace meteremu {

/// [frontend] keys of type = "shelly_gen1".
struct ShellyGen1Options : FrontendOptions {
    /// From `mac`; empty: derived from /etc/machine-id when the frontend is created.
    std::optional<MacAddress> mac;
    /// From `user` and `password` (or `password_file`): Basic authentication when a password
    /// is set. A secret: never logged.
    std::string user = "admin";
    std::string password;
};

std::unique_ptr<Frontend> CreateShellyGen1Frontend(const ShellyGen1Options& options,
                                                   const FrontendContext& context);

extern const FrontendPlugin shelly_gen1_frontend_plugin;

} // namespace meteremu
