// SPDX-License-Identifier: MIT
// [backend] keys of type = "home_assistant": the instance, its token, and which entities carry
// the grid power. See docs/protocols/home-assistant.md and meteremu.toml(5).
#pragma once

#include "backends/backend.hpp"

#include <optional>
#include <string>
#include <vector>

namespace meteremu {

namespace home_assistant {

/// What one entity's value means for the grid reading.
enum class Measure {
    Net,    ///< + import, − export
    Import, ///< power taken from the grid (never negative)
    Export, ///< power returned to the grid (never negative)
};

/// One configured entity and what it measures.
struct Entity {
    std::string entity_id;
    Measure measure = Measure::Net;
    std::optional<std::size_t> phase; ///< none: the whole connection (on phase A)
    std::string key;                  ///< its key in [backend], for messages
};

/// The environment variable Home Assistant's add-on environment (the Supervisor) sets.
inline constexpr const char* kSupervisorTokenVariable = "SUPERVISOR_TOKEN";
/// The instance as an add-on reaches it through the Supervisor's proxy.
inline constexpr const char* kSupervisorUrl = "http://supervisor/core";

} // namespace home_assistant

/// The token is a secret: never log it.
struct HomeAssistantOptions : BackendOptions {
    std::string url;   ///< http://host:8123, without a trailing slash
    std::string token; ///< token, or SUPERVISOR_TOKEN when neither token nor token_file
    std::string token_file;
    bool invert = false;
    std::vector<home_assistant::Entity> entities;
};

std::unique_ptr<BackendOptions> ParseHomeAssistantOptions(ConfigSection& section);

/// "ws://host:8123/api/websocket" for "http://host:8123"; the Supervisor's proxy serves it at
/// "ws://supervisor/core/websocket".
std::string WebSocketUrlOf(const std::string& url);

extern const BackendPlugin home_assistant_backend_plugin;

} // namespace meteremu
