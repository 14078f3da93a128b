// SPDX-License-Identifier: MIT
// [backend] keys of type = "http_json": where to poll, how to log in, which fields to read.
#pragma once

#include "backends/backend.hpp"
#include "backends/http_json/payload_map.hpp"
#include "backends/http_json/presets.hpp"

#include <optional>
#include <string>

namespace meteremu {

/// The password is a secret: never log it, never put it in a message.
struct HttpJsonOptions : BackendOptions {
    std::optional<http_json::Preset> preset;
    /// What is polled: `url`, or http://<host><the preset's path>. Never holds credentials.
    std::string url;
    bool digest = false; ///< HTTP Digest (SHA-256 or MD5, as the device asks); else Basic
    /// Tasmota takes its web login as the query arguments user and password, not HTTP auth.
    bool login_in_query = false;
    std::string username;
    std::string password;
    std::string password_file;
    http_json::PayloadMap map;
};

std::unique_ptr<BackendOptions> ParseHttpJsonOptions(ConfigSection& section);

extern const BackendPlugin http_json_backend_plugin;

} // namespace meteremu
