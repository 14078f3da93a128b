// SPDX-License-Identifier: MIT
// [backend] keys of type = "mqtt": the broker, the login, and which topics carry the grid
// power. See docs/protocols/mqtt.md and meteremu.toml(5).
#pragma once

#include "backends/backend.hpp"
#include "util/json_pointer.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace meteremu {

namespace mqtt {

/// What one topic's value means for the grid reading.
enum class Measure {
    Net,    ///< + import, − export
    Import, ///< power taken from the grid (never negative)
    Export, ///< power returned to the grid (never negative)
};

/// One configured value: a topic, where in its payload the number is, and what it measures.
struct Channel {
    std::string topic;
    JsonPointer pointer; ///< empty: the payload is a plain number
    Measure measure = Measure::Net;
    std::optional<std::size_t> phase; ///< none: the whole connection (spread over the phases)
    std::string key;                  ///< the topic's key in [backend], for messages
};

} // namespace mqtt

/// The password is a secret: never log it.
struct MqttOptions : BackendOptions {
    std::string host;
    std::uint16_t port = 1883;
    bool tls = false;
    std::string ca_file;
    bool verify_ssl = true; ///< false with tls_insecure = true
    std::string username;
    std::string password;
    std::string password_file;
    std::string client_id; ///< empty: the library makes a random one
    int qos = 0;
    int keepalive = 30; ///< seconds
    double scale = 1.0;
    bool invert = false;
    std::vector<mqtt::Channel> channels;
};

std::unique_ptr<BackendOptions> ParseMqttOptions(ConfigSection& section);

extern const BackendPlugin mqtt_backend_plugin;

} // namespace meteremu
