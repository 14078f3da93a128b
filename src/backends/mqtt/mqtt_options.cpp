// SPDX-License-Identifier: MIT
#include "backends/mqtt/mqtt_options.hpp"

#include "config/config_section.hpp"
#include "util/port_number.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <span>

namespace meteremu {
namespace {

using mqtt::Channel;
using mqtt::Measure;

struct TopicKey {
    std::string_view key;
    Measure measure;
    std::optional<std::size_t> phase;
};

// The keys that name topics, grouped by layout: every key of one layout, and nothing else.
constexpr TopicKey kTopicKeys[] = {
    {"topic", Measure::Net, std::nullopt},
    {"topic_a", Measure::Net, 0},
    {"topic_b", Measure::Net, 1},
    {"topic_c", Measure::Net, 2},
    {"import_topic", Measure::Import, std::nullopt},
    {"export_topic", Measure::Export, std::nullopt},
    {"import_topic_a", Measure::Import, 0},
    {"import_topic_b", Measure::Import, 1},
    {"import_topic_c", Measure::Import, 2},
    {"export_topic_a", Measure::Export, 0},
    {"export_topic_b", Measure::Export, 1},
    {"export_topic_c", Measure::Export, 2},
};
constexpr std::span<const TopicKey> kLayouts[] = {
    std::span(kTopicKeys).subspan(0, 1),
    std::span(kTopicKeys).subspan(1, 3),
    std::span(kTopicKeys).subspan(4, 2),
    std::span(kTopicKeys).subspan(6, 6),
};
constexpr char kLayoutHelp[] = "set topic (net power), or topic_a, topic_b and topic_c (net "
                               "power per phase), or import_topic and export_topic, or "
                               "import_topic_a … export_topic_c (per phase)";

constexpr std::string_view kDefaultBroker = "mqtt://localhost:1883";

void ReadString(ConfigSection& section, std::string_view key, std::string& target) {
    if (auto value = section.String(key)) target = *value;
}

/// "topic_a" → "json_pointer_a", "import_topic" → "import_json_pointer".
std::string PointerKey(std::string_view topic_key) {
    std::string key(topic_key);
    key.replace(key.find("topic"), 5, "json_pointer");
    return key;
}

/// "mqtt://host[:port]" or "mqtts://host[:port]", host an address, a name or "[v6]".
bool ParseBrokerUrl(std::string_view url, MqttOptions& options) {
    if (url.starts_with("mqtts://")) {
        options.tls = true;
        options.port = 8883;
        url.remove_prefix(8);
    } else if (url.starts_with("mqtt://")) {
        url.remove_prefix(7);
    } else {
        return false;
    }
    if (url.ends_with('/')) url.remove_suffix(1);
    auto split = SplitHostAndPort(url);
    if (!split) return false;
    if (split->port) {
        auto port = ParsePortNumber(*split->port);
        if (!port) return false;
        options.port = *port;
    }
    options.host = split->host;
    std::string_view forbidden = split->bracketed ? "/@ []" : "/@ []:";
    return !split->host.empty() && split->host.find_first_of(forbidden) == std::string_view::npos;
}

void ParseBroker(ConfigSection& section, MqttOptions& options) {
    auto url = section.String("broker");
    if (!ParseBrokerUrl(url ? std::string_view(*url) : kDefaultBroker, options))
        section.ErrorAt("broker", "expected mqtt://host[:port] or mqtts://host[:port] (the "
                                  "login goes in username and password)");
}

void CheckTopic(ConfigSection& section, std::string_view key, const std::string& topic) {
    if (topic.empty())
        section.ErrorAt(key, "is empty: expected the topic the value is published on");
    else if (topic.find_first_of(std::string_view("+#\0", 3)) != std::string::npos)
        section.ErrorAt(key, "expected one topic, without the wildcards + and #");
}

/// The pointer `text` of `key`; an error names the key. Empty: the payload is a plain number.
JsonPointer PointerOf(ConfigSection& section, std::string_view key, const std::string& text) {
    try {
        return JsonPointer::Parse(text);
    } catch (const std::invalid_argument& error) {
        section.ErrorAt(key, std::string("expected a JSON Pointer (RFC 6901) such as "
                                         "\"/ENERGY/Power\": ") +
                                 error.what());
        return {};
    }
}

/// Every topic key present, with its pointer (its own, else json_pointer).
std::vector<Channel> ReadChannels(ConfigSection& section) {
    std::string common_text;
    ReadString(section, "json_pointer", common_text);
    JsonPointer common_pointer = PointerOf(section, "json_pointer", common_text);
    std::vector<Channel> channels;
    for (const TopicKey& key : kTopicKeys) {
        std::string pointer_key = PointerKey(key.key);
        std::string topic;
        bool has_topic = section.Has(key.key);
        ReadString(section, key.key, topic);
        JsonPointer pointer = common_pointer;
        if (key.key != "topic" && section.Has(pointer_key)) {
            std::string text;
            ReadString(section, pointer_key, text);
            pointer = PointerOf(section, pointer_key, text);
            if (!has_topic)
                section.ErrorAt(pointer_key, "has no " + std::string(key.key) + " to apply to");
        }
        if (!has_topic) continue;
        CheckTopic(section, key.key, topic);
        channels.push_back({topic, pointer, key.measure, key.phase, std::string(key.key)});
    }
    return channels;
}

bool Present(const std::vector<Channel>& channels, std::string_view key) {
    return std::any_of(channels.begin(), channels.end(),
                       [&](const Channel& channel) { return channel.key == key; });
}

/// The topic keys given must be exactly the keys of one layout.
void CheckLayout(ConfigSection& section, const std::vector<Channel>& channels) {
    if (channels.empty()) {
        section.ErrorMissing("topic", kLayoutHelp);
        return;
    }
    for (auto layout : kLayouts) {
        if (!Present(channels, layout.front().key)) continue;
        for (const TopicKey& key : layout)
            if (!Present(channels, key.key))
                section.ErrorMissing(key.key, "goes with " + std::string(layout.front().key) +
                                                  ": " + kLayoutHelp);
        for (const Channel& channel : channels)
            if (std::none_of(layout.begin(), layout.end(),
                             [&](const TopicKey& key) { return key.key == channel.key; }))
                section.ErrorAt(channel.key, "cannot be combined with " +
                                                 std::string(layout.front().key) + ": " +
                                                 kLayoutHelp);
        return;
    }
    section.ErrorAt(channels.front().key, "is missing its companions: " + std::string(kLayoutHelp));
}

void ParseLogin(ConfigSection& section, MqttOptions& options) {
    ReadString(section, "username", options.username);
    ReadString(section, "password", options.password);
    ReadString(section, "password_file", options.password_file);
    if (!options.password.empty() && !options.password_file.empty())
        section.ErrorAt("password_file", "set password or password_file, not both");
    bool has_password = !options.password.empty() || !options.password_file.empty();
    if (has_password && options.username.empty())
        section.ErrorAt(options.password.empty() ? "password_file" : "password",
                        "needs username: MQTT sends a password only with a user name");
}

void ParseTls(ConfigSection& section, MqttOptions& options) {
    ReadString(section, "ca_file", options.ca_file);
    if (auto insecure = section.Bool("tls_insecure")) options.verify_ssl = !*insecure;
    if (!options.tls && (section.Has("ca_file") || section.Has("tls_insecure")))
        section.WarningAt(section.Has("ca_file") ? "ca_file" : "tls_insecure",
                          "is only used with an mqtts:// broker");
}

void ParseValues(ConfigSection& section, MqttOptions& options) {
    if (auto scale = section.Number("scale")) {
        if (!std::isfinite(*scale) || *scale == 0)
            section.ErrorAt("scale", "expected a number other than 0, e.g. 1000 for kW");
        else
            options.scale = *scale;
    }
    if (auto invert = section.Bool("invert")) options.invert = *invert;
}

} // namespace

std::unique_ptr<BackendOptions> ParseMqttOptions(ConfigSection& section) {
    auto options = std::make_unique<MqttOptions>();
    ParseBroker(section, *options);
    ParseTls(section, *options);
    ParseLogin(section, *options);
    ReadString(section, "client_id", options->client_id);
    options->qos = static_cast<int>(section.Count("qos", 0, 0, 2));
    options->keepalive = static_cast<int>(section.Count("keepalive", 30, 5, 3600));
    ParseValues(section, *options);
    options->channels = ReadChannels(section);
    CheckLayout(section, options->channels);
    return options;
}

} // namespace meteremu
