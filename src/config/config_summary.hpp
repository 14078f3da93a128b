// SPDX-License-Identifier: MIT
// The effective configuration in a few lines, for --check-config: what each emulated device
// will be and where it will listen.
#pragma once

#include "config/config.hpp"

#include <string>
#include <vector>

namespace meteremu {

/// "shelly on every address, HTTP port 80, UDP ports 1010 and 2220, mDNS".
std::string DescribeFrontend(const FrontendSettings& frontend);

/// "frontend 1: ..." for each frontend in file order, then "backend: envoy".
std::vector<std::string> SummaryLines(const Config& config);

} // namespace meteremu
