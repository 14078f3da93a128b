// SPDX-License-Identifier: MIT
#include "backends/home_assistant/ha_options.hpp"

#include "config/config_section.hpp"

#include <algorithm>
#include <cstdlib>
#include <span>

namespace meteremu {
namespace {

using home_assistant::Entity;
using home_assistant::Measure;

struct EntityKey {
    std::string_view key;
    Measure measure;
    std::optional<std::size_t> phase;
};

// The keys that name entities, grouped by layout: every key of one layout, and nothing else.
constexpr EntityKey kEntityKeys[] = {
    {"entity", Measure::Net, std::nullopt},
    {"entity_a", Measure::Net, 0},
    {"entity_b", Measure::Net, 1},
    {"entity_c", Measure::Net, 2},
    {"import_entity", Measure::Import, std::nullopt},
    {"export_entity", Measure::Export, std::nullopt},
    {"import_entity_a", Measure::Import, 0},
    {"import_entity_b", Measure::Import, 1},
    {"import_entity_c", Measure::Import, 2},
    {"export_entity_a", Measure::Export, 0},
    {"export_entity_b", Measure::Export, 1},
    {"export_entity_c", Measure::Export, 2},
};
constexpr std::span<const EntityKey> kLayouts[] = {
    std::span(kEntityKeys).subspan(0, 1),
    std::span(kEntityKeys).subspan(1, 3),
    std::span(kEntityKeys).subspan(4, 2),
    std::span(kEntityKeys).subspan(6, 6),
};
constexpr char kLayoutHelp[] = "set entity (net power), or entity_a, entity_b and entity_c (net "
                               "power per phase), or import_entity and export_entity, or "
                               "import_entity_a … export_entity_c (per phase)";

void ReadString(ConfigSection& section, std::string_view key, std::string& target) {
    if (auto value = section.String(key)) target = *value;
}

bool SupervisorPresent() {
    const char* token = std::getenv(home_assistant::kSupervisorTokenVariable);
    return token && *token;
}

/// "domain.object_id", both of lower-case letters, digits and underscores.
bool IsEntityId(std::string_view id) {
    std::size_t dot = id.find('.');
    if (dot == 0 || dot == std::string_view::npos || dot + 1 == id.size()) return false;
    if (id.find('.', dot + 1) != std::string_view::npos) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    });
}

void ParseUrl(ConfigSection& section, HomeAssistantOptions& options) {
    if (!section.Has("url")) {
        if (SupervisorPresent())
            options.url = home_assistant::kSupervisorUrl;
        else
            section.ErrorMissing("url", "set url to the Home Assistant instance, e.g. url = "
                                        "\"http://homeassistant.local:8123\"");
        return;
    }
    ReadString(section, "url", options.url);
    while (options.url.ends_with('/'))
        options.url.pop_back();
    std::string_view rest = options.url;
    if (rest.starts_with("https://")) {
        section.ErrorAt("url", "https:// is not supported: the live updates come over a "
                               "WebSocket, and this build speaks ws:// only (no TLS library); "
                               "use http:// on the local network");
    } else if (!rest.starts_with("http://") || rest.size() == 7 ||
               rest.find_first_of(" @?#") != std::string_view::npos) {
        section.ErrorAt("url", "expected http://host[:port] of the Home Assistant instance, "
                               "e.g. \"http://homeassistant.local:8123\"");
    }
}

void ParseToken(ConfigSection& section, HomeAssistantOptions& options) {
    ReadString(section, "token", options.token);
    ReadString(section, "token_file", options.token_file);
    if (section.Has("token") && section.Has("token_file"))
        section.ErrorAt("token_file", "set token or token_file, not both");
    else if (section.Has("token") && options.token.empty())
        section.ErrorAt("token", "is empty: expected a long-lived access token (Home Assistant: "
                                 "your profile, Security, Long-lived access tokens)");
    else if (!section.Has("token") && !section.Has("token_file") && !SupervisorPresent())
        section.ErrorMissing("token", "set token or token_file to a long-lived access token "
                                      "(or run as a Home Assistant add-on, which sets " +
                                          std::string(home_assistant::kSupervisorTokenVariable) +
                                          ")");
}

std::vector<Entity> ReadEntities(ConfigSection& section) {
    std::vector<Entity> entities;
    for (const EntityKey& key : kEntityKeys) {
        if (!section.Has(key.key)) {
            section.String(key.key); // asked for, so the documentation test finds it
            continue;
        }
        std::string id;
        ReadString(section, key.key, id);
        if (!IsEntityId(id))
            section.ErrorAt(key.key, "expected an entity id such as \"sensor.grid_power\"");
        entities.push_back({id, key.measure, key.phase, std::string(key.key)});
    }
    return entities;
}

bool Present(const std::vector<Entity>& entities, std::string_view key) {
    return std::any_of(entities.begin(), entities.end(),
                       [&](const Entity& entity) { return entity.key == key; });
}

/// The entity keys given must be exactly the keys of one layout.
void CheckLayout(ConfigSection& section, const std::vector<Entity>& entities) {
    if (entities.empty()) {
        section.ErrorMissing("entity", kLayoutHelp);
        return;
    }
    for (auto layout : kLayouts) {
        if (!Present(entities, layout.front().key)) continue;
        for (const EntityKey& key : layout)
            if (!Present(entities, key.key))
                section.ErrorMissing(key.key, "goes with " + std::string(layout.front().key) +
                                                  ": " + kLayoutHelp);
        for (const Entity& entity : entities)
            if (std::none_of(layout.begin(), layout.end(),
                             [&](const EntityKey& key) { return key.key == entity.key; }))
                section.ErrorAt(entity.key, "cannot be combined with " +
                                                std::string(layout.front().key) + ": " +
                                                kLayoutHelp);
        return;
    }
    section.ErrorAt(entities.front().key, "is missing its companions: " + std::string(kLayoutHelp));
}

} // namespace

std::unique_ptr<BackendOptions> ParseHomeAssistantOptions(ConfigSection& section) {
    auto options = std::make_unique<HomeAssistantOptions>();
    ParseUrl(section, *options);
    ParseToken(section, *options);
    if (auto invert = section.Bool("invert")) options->invert = *invert;
    options->entities = ReadEntities(section);
    CheckLayout(section, options->entities);
    return options;
}

std::string WebSocketUrlOf(const std::string& url) {
    std::string ws = "ws://" + url.substr(url.find("://") + 3);
    if (url == home_assistant::kSupervisorUrl) return ws + "/websocket";
    return ws + "/api/websocket";
}

} // namespace meteremu
