// SPDX-License-Identifier: MIT
// GET /production.json?details=1, the slow fallback for gateways without
// /ivp/meters/readings (docs/protocols/envoy.md#production-fallback): the net-consumption eim
// entry, only while its CT is active.
// It has no usable energy counters (the net whLifetime is one bidirectional counter) and no
// frequency, so energy is integrated by the caller and frequency reads 0.
#pragma once

#include "core/reading.hpp"

#include <optional>
#include <string_view>

namespace meteremu::envoy {

struct ProductionJsonGrid {
    Reading reading; ///< powers, voltage, current, PF; energy and frequency 0
    int lines = 0;   ///< per-phase lines used; 0: the aggregate went to phase a
};

/// nullopt when no net-consumption entry with activeCount > 0 exists (no grid data).
/// Throws BadData for HTML, invalid JSON or a malformed entry.
std::optional<ProductionJsonGrid> ParseProductionJsonGrid(std::string_view body);

} // namespace meteremu::envoy
