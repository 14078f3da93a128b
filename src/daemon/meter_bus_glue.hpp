// SPDX-License-Identifier: MIT
// The daemon's side of its state on the system bus (platform/meter_bus.hpp): the facts the
// status page gathers, as the bus shows them, and the journal lines of what became of the
// connection.
#pragma once

#include "platform/meter_bus.hpp"
#include "status/status_json.hpp"

#include <chrono>
#include <vector>

namespace meteremu {

/// What the bus shows of `facts`; `wall_now` is `facts.now` on the wall clock.
MeterBusFacts BusFactsOf(const StatusFacts& facts, std::chrono::system_clock::time_point wall_now);

/// One journal line for each report: serving (info), no bus here (notice), refused or lost
/// (warning).
void LogBusReports(const std::vector<MeterBusReport>& reports);

} // namespace meteremu
