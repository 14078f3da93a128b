// SPDX-License-Identifier: MIT
#pragma once

#include "core/mac_address.hpp"
#include "frontends/frontend.hpp"
#include "frontends/shelly/identity.hpp"

#include <optional>

namespace meteremu {

/// [frontend] keys of type = "shelly".
struct ShellyOptions : FrontendOptions {
    /// From `mac`; empty: derived from /etc/machine-id when the frontend is created.
    std::optional<MacAddress> mac;
    /// From `profile`: "triphase" (em:0) or "monophase" (em1:0..2), as Shelly.SetProfile.
    shelly::Profile profile = shelly::Profile::Triphase;
};

/// What the plugin's `create` builds, typed: for the tests, which call it as JSON-RPC.
std::unique_ptr<JsonRpcFrontend> CreateShellyFrontend(const ShellyOptions& options,
                                                      const FrontendContext& context);

extern const FrontendPlugin shelly_frontend_plugin;

} // namespace meteremu
