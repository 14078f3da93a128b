// SPDX-License-Identifier: MIT
// GET /metrics: the status facts in Prometheus' text exposition format (version 0.0.4), for a
// Prometheus on the LAN to scrape (docs/status.md#metrics). Names carry their unit, counters
// end in _total, and labels take only values from the configuration (frontend names, phases,
// reasons) and the method names the frontends serve (net/request_label.hpp): never a client
// address nor anything a client made up, so a scan of the network cannot grow the series.
#pragma once

#include "status/status_json.hpp"

#include <string>

namespace meteremu {

std::string RenderMetrics(const StatusFacts& facts);

} // namespace meteremu
