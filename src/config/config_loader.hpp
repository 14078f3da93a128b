// SPDX-License-Identifier: MIT
#pragma once

#include "config/config.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace meteremu {

/// Reads and validates a configuration file. Throws ConfigInvalid listing every problem
/// (unreadable file, TOML syntax, unknown keys, wrong types, values out of range).
Config LoadConfigFile(const std::string& path);

/// Validates configuration text; `source_name` is used in diagnostics. Throws ConfigInvalid.
Config ParseConfig(std::string_view text, const std::string& source_name);

/// The keys of one table that the parsers accept.
struct ConfigKeys {
    std::string section;           ///< "" (the top level), "frontend" or "backend"
    std::string plugin;            ///< "" for the keys of every plugin, else the type, e.g. "envoy"
    std::vector<std::string> keys; ///< sorted
};

/// Every key the configuration parsers accept, found by running each parser (the top level,
/// each section's common keys, each plugin's keys) on an empty table in which ConfigSection
/// records what is asked for. The documentation test checks them against the man page and
/// the shipped file.
std::vector<ConfigKeys> AcceptedConfigKeys();

/// The error for a [backend] or [frontend] `type` naming no plugin of this build: the types it
/// has, and for a type in `left_out` (build::kBackendsLeftOut, names separated by spaces) that
/// this build left that plugin out.
std::string UnknownPluginType(std::string_view kind, std::string_view type,
                              const std::vector<std::string_view>& built,
                              std::string_view left_out);

/// The built-in simulated household: HTTP on 127.0.0.1:8080, UDP on 127.0.0.1:11010 and
/// 12220, no mDNS.
Config DemoConfig();

} // namespace meteremu
