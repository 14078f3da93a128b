// SPDX-License-Identifier: MIT
#pragma once

#include "config/config.hpp"

#include <string>
#include <string_view>

namespace meteremu {

/// Reads and validates a configuration file. Throws ConfigInvalid listing every problem
/// (unreadable file, TOML syntax, unknown keys, wrong types, values out of range).
Config LoadConfigFile(const std::string& path);

/// Validates configuration text; `source_name` is used in diagnostics. Throws ConfigInvalid.
Config ParseConfig(std::string_view text, const std::string& source_name);

/// The built-in simulated household: HTTP on 127.0.0.1:8080, UDP on 127.0.0.1:11010 and
/// 12220, no mDNS.
Config DemoConfig();

} // namespace meteremu
