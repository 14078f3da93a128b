// SPDX-License-Identifier: MIT
// Several batteries on one meter, measured side by side: each fleet on its house under a
// Shelly, a CT002 in relay mode and meteremu's active mode, as the table of
// docs/simulator.md#several-batteries-on-one-meter and the README show it.
#pragma once

#include "scenarios.hpp"

#include <string>

namespace meteremu::sim {

/// The fleet table (Markdown) over `seeds` seeds, 1 s source, no latency, `hold`; `balance`
/// is the active mode's. Also writes it to OUT/fleets.md when `out` is not empty.
std::string RunFleets(int seeds, const ct002::BalanceSettings& balance, const std::string& out,
                      const std::string& trace_dir);

} // namespace meteremu::sim
