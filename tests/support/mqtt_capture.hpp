// SPDX-License-Identifier: MIT
// The MQTT captures of tests/fixtures/mqtt: JSON Lines of {"topic": ..., "payload": ...}, each
// payload the text exactly as published.
#pragma once

#include "support/temp_dir.hpp"
#include "util/json.hpp"

#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace meteremu::test {

struct MqttMessage {
    std::string topic;
    std::string payload;
};

inline std::vector<MqttMessage> MqttCapture(std::string_view name) {
    std::istringstream lines(Fixture("mqtt/" + std::string(name)));
    std::vector<MqttMessage> messages;
    for (std::string line; std::getline(lines, line);) {
        if (line.empty()) continue;
        json_error_t error;
        JsonPtr root(json_loads(line.c_str(), 0, &error));
        const json_t* topic = json_object_get(root.get(), "topic");
        const json_t* payload = json_object_get(root.get(), "payload");
        if (!json_is_string(topic) || !json_is_string(payload))
            throw std::runtime_error("mqtt/" + std::string(name) +
                                     ": a line without topic/payload");
        messages.push_back({json_string_value(topic),
                            std::string(json_string_value(payload), json_string_length(payload))});
    }
    return messages;
}

} // namespace meteremu::test
