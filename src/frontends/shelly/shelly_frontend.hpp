// SPDX-License-Identifier: MIT
#pragma once

#include "frontends/frontend.hpp"
#include "platform/machine_id.hpp"

#include <optional>

namespace meteremu {

/// [frontend] keys of type = "shelly".
struct ShellyOptions : FrontendOptions {
    /// From `mac`; empty: derived from /etc/machine-id when the frontend is created.
    std::optional<MacAddress> mac;
};

extern const FrontendPlugin shelly_frontend_plugin;

} // namespace meteremu
