// SPDX-License-Identifier: MIT
// The [frontend] keys that limit what clients may ask of the transports (connections, sizes,
// timeouts, UDP reply rate) and the allow list of client networks.
#pragma once

#include "config/config_section.hpp"
#include "net/transport_limits.hpp"

namespace meteremu {

/// Reads the keys into `limits`, leaving the defaults of absent ones; errors go to `section`.
void ParseTransportLimits(ConfigSection& section, TransportLimits& limits);

/// The `allow` key: networks in CIDR notation; empty (every client) when absent.
AllowList ParseAllow(ConfigSection& section);

} // namespace meteremu
