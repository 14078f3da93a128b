// SPDX-License-Identifier: MIT
#pragma once

#include "core/mac_address.hpp"
#include "frontends/frontend.hpp"
#include "frontends/shelly/identity.hpp"

#include <optional>

namespace meteremu {

/// [frontend] keys of type = "shelly".
struct ShellyOptions : FrontendOptions {
    /// From `model`: "pro3em", "proem50" or "emg3".
    shelly::Model model = shelly::Model::Pro3Em;
    /// From `mac`; empty: derived from /etc/machine-id when the frontend is created.
    std::optional<MacAddress> mac;
    /// From `profile` (Pro 3EM only): "triphase" (em:0) or "monophase" (em1:0..2).
    shelly::Profile profile = shelly::Profile::Triphase;
    /// From `channel0` (two-channel models only): "total", "a", "b" or "c".
    shelly::Channel0 channel0 = shelly::Channel0::Total;

    /// The Pro EM-50 on 2223, the EM Gen3 on 2222, as Marstek batteries poll them.
    std::optional<std::vector<std::uint16_t>> DefaultUdpPorts() const override;
};

/// What the plugin's `create` builds, typed: for the tests, which call it as JSON-RPC.
std::unique_ptr<JsonRpcFrontend> CreateShellyFrontend(const ShellyOptions& options,
                                                      const FrontendContext& context);

extern const FrontendPlugin shelly_frontend_plugin;

} // namespace meteremu
