// SPDX-License-Identifier: MIT
// type = "homewizard": a HomeWizard P1 meter (HWE-P1) on its local API v1, which Marstek
// Venus firmware 155 can poll: GET /api (the device) and GET /api/v1/data (the meter).
// Experimental: no field report yet. See docs/protocols/homewizard.md.
#pragma once

#include "core/mac_address.hpp"
#include "frontends/frontend.hpp"

#include <optional>

namespace meteremu {

/// [frontend] keys of type = "homewizard".
struct HomeWizardOptions : FrontendOptions {
    /// From `mac`; empty: derived from /etc/machine-id. The serial is its 12 lower-case digits.
    std::optional<MacAddress> mac;
};

std::unique_ptr<Frontend> CreateHomeWizardFrontend(const HomeWizardOptions& options,
                                                   const FrontendContext& context);

extern const FrontendPlugin homewizard_frontend_plugin;

} // namespace meteremu
