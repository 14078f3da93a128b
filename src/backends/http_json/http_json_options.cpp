// SPDX-License-Identifier: MIT
// Every key is asked for whatever the others say, so AcceptedConfigKeys() (an empty table)
// lists them all and an unknown key is reported wherever it is.
#include "backends/http_json/http_json_options.hpp"

#include "backends/http_json/http_json_backend.hpp"
#include "config/config_section.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

namespace meteremu {
namespace {

using http_json::EnergyFields;
using http_json::PowerField;
using http_json::Preset;

constexpr char kPointerHelp[] = "expected a JSON pointer (RFC 6901) such as \"/emeters/0/power\"";
constexpr std::size_t kMaxUrlLength = 2000;

/// The field keys as written: single pointers and three-phase arrays. `given` holds the keys
/// set to something other than "" or [] (the documented defaults, which mean "not set").
struct FieldKeys {
    std::optional<JsonPointer> power, import_power, export_power, import_energy, export_energy;
    std::optional<std::vector<JsonPointer>> phase_power, phase_import_power, phase_export_power,
        phase_import_energy, phase_export_energy;
    std::set<std::string_view> given;
};

std::optional<JsonPointer> PointerKey(ConfigSection& section, std::string_view key,
                                      FieldKeys& keys) {
    auto text = section.String(key);
    if (!text || text->empty()) return std::nullopt;
    keys.given.insert(key);
    try {
        return JsonPointer::Parse(*text);
    } catch (const std::invalid_argument& error) {
        section.ErrorAt(key, std::string(kPointerHelp) + ": " + error.what());
        return std::nullopt;
    }
}

std::optional<std::vector<JsonPointer>> PhasePointers(ConfigSection& section, std::string_view key,
                                                      FieldKeys& keys) {
    auto texts = section.StringArray(key);
    if (!texts || texts->empty()) return std::nullopt;
    keys.given.insert(key);
    if (texts->size() != kPhaseCount) {
        section.ErrorAt(key, "expected three JSON pointers, for phases a, b and c");
        return std::nullopt;
    }
    std::vector<JsonPointer> pointers;
    for (std::size_t i = 0; i < texts->size(); ++i) {
        try {
            pointers.push_back(JsonPointer::Parse((*texts)[i]));
        } catch (const std::invalid_argument& error) {
            section.ErrorAtElement(key, i, std::string(kPointerHelp) + ": " + error.what());
        }
    }
    if (pointers.size() != kPhaseCount) return std::nullopt;
    return pointers;
}

FieldKeys ReadFieldKeys(ConfigSection& section) {
    FieldKeys keys;
    keys.power = PointerKey(section, "power", keys);
    keys.phase_power = PhasePointers(section, "phase_power", keys);
    keys.import_power = PointerKey(section, "import_power", keys);
    keys.export_power = PointerKey(section, "export_power", keys);
    keys.phase_import_power = PhasePointers(section, "phase_import_power", keys);
    keys.phase_export_power = PhasePointers(section, "phase_export_power", keys);
    keys.import_energy = PointerKey(section, "import_energy", keys);
    keys.export_energy = PointerKey(section, "export_energy", keys);
    keys.phase_import_energy = PhasePointers(section, "phase_import_energy", keys);
    keys.phase_export_energy = PhasePointers(section, "phase_export_energy", keys);
    return keys;
}

/// A pair needs both halves: false (with an error at the half given) when one is missing.
bool PairComplete(ConfigSection& section, const FieldKeys& keys, std::string_view first,
                  std::string_view second) {
    bool has_first = keys.given.contains(first);
    bool has_second = keys.given.contains(second);
    if (has_first == has_second) return has_first;
    section.ErrorAt(has_first ? first : second, "needs " + std::string(has_first ? second : first) +
                                                    " too (net = import " + "minus export)");
    return false;
}

void MapPower(ConfigSection& section, const FieldKeys& keys, http_json::PayloadMap& map) {
    int shapes = keys.given.contains("power") + keys.given.contains("phase_power") +
                 PairComplete(section, keys, "import_power", "export_power") +
                 PairComplete(section, keys, "phase_import_power", "phase_export_power");
    if (shapes > 1) {
        section.ErrorAt("power", "choose one of power, phase_power, import_power with "
                                 "export_power, or phase_import_power with phase_export_power");
        return;
    }
    bool half_pair = keys.given.contains("import_power") || keys.given.contains("export_power") ||
                     keys.given.contains("phase_import_power") ||
                     keys.given.contains("phase_export_power");
    if (shapes == 0 && !half_pair)
        section.ErrorMissing("power", "set power (a JSON pointer to the grid power, + import, "
                                      "- export), phase_power (three), import_power with "
                                      "export_power, or a preset");
    if (keys.power) map.power.push_back({*keys.power, {}, {}, false});
    if (keys.phase_power)
        for (const auto& pointer : *keys.phase_power)
            map.power.push_back({pointer, {}, {}, false});
    if (keys.import_power && keys.export_power)
        map.power.push_back({*keys.import_power, keys.import_power, keys.export_power, false});
    if (keys.phase_import_power && keys.phase_export_power)
        for (std::size_t i = 0; i < kPhaseCount; ++i)
            map.power.push_back({(*keys.phase_import_power)[i], (*keys.phase_import_power)[i],
                                 (*keys.phase_export_power)[i], false});
}

void MapEnergy(ConfigSection& section, const FieldKeys& keys, http_json::PayloadMap& map) {
    bool total = PairComplete(section, keys, "import_energy", "export_energy");
    bool phases = PairComplete(section, keys, "phase_import_energy", "phase_export_energy");
    if (total && phases) {
        section.ErrorAt("phase_import_energy", "choose import_energy with export_energy, or "
                                               "phase_import_energy with phase_export_energy");
        return;
    }
    if (keys.import_energy && keys.export_energy)
        map.energy.push_back({*keys.import_energy, *keys.export_energy});
    if (keys.phase_import_energy && keys.phase_export_energy)
        for (std::size_t i = 0; i < kPhaseCount; ++i)
            map.energy.push_back({(*keys.phase_import_energy)[i], (*keys.phase_export_energy)[i]});
}

http_json::SmlFields ReadSml(ConfigSection& section) {
    http_json::SmlFields sml;
    sml.meter = section.String("sml_meter").value_or("");
    sml.power = section.String("sml_power").value_or("");
    sml.import_energy = section.String("sml_import_energy").value_or("");
    sml.export_energy = section.String("sml_export_energy").value_or("");
    return sml;
}

/// The fields: the preset's, or the ones the keys name. Keys that do not apply are errors.
void ParseFields(ConfigSection& section, HttpJsonOptions& options) {
    FieldKeys keys = ReadFieldKeys(section);
    http_json::SmlFields sml = ReadSml(section);
    bool tasmota = options.preset == Preset::Tasmota;
    const std::pair<std::string_view, const std::string*> sml_keys[] = {
        {"sml_meter", &sml.meter},
        {"sml_power", &sml.power},
        {"sml_import_energy", &sml.import_energy},
        {"sml_export_energy", &sml.export_energy}};
    for (auto [key, value] : sml_keys)
        if (!tasmota && !value->empty())
            section.ErrorAt(key, "is only used with preset = \"tasmota\"");
    if (!options.preset) {
        MapPower(section, keys, options.map);
        MapEnergy(section, keys, options.map);
        return;
    }
    for (auto key : keys.given)
        section.ErrorAt(key, "the preset chooses the fields: remove " + std::string(key) +
                                 ", or the preset (then set url)");
    if (tasmota) {
        if (sml.meter.empty())
            section.ErrorMissing("sml_meter", "set sml_meter to the meter's name in the SML "
                                              "script (the object under StatusSNS, e.g. \"SML\")");
        if (sml.power.empty())
            section.ErrorMissing("sml_power", "set sml_power to the name of the power line in "
                                              "the SML script (e.g. \"curr_w\")");
        if (sml.import_energy.empty() != sml.export_energy.empty())
            section.ErrorAt(sml.import_energy.empty() ? "sml_export_energy" : "sml_import_energy",
                            "needs sml_import_energy and sml_export_energy both");
    }
    options.map = http_json::PresetMap(*options.preset, sml);
}

void ParsePreset(ConfigSection& section, HttpJsonOptions& options) {
    auto name = section.String("preset");
    if (!name || name->empty()) return; // "" (the default): no preset
    options.preset = http_json::FindPreset(*name);
    if (!options.preset) section.ErrorAt("preset", "expected one of " + http_json::PresetNames());
}

bool UrlCharactersValid(std::string_view url) {
    return std::ranges::all_of(url, [](unsigned char c) { return c > 0x20 && c < 0x7f; });
}

/// A query argument named like a password ("password=", "pass=", "token=", any case).
bool HasPasswordArgument(std::string_view url) {
    std::string lower(url);
    std::ranges::transform(lower, lower.begin(), [](unsigned char c) { return std::tolower(c); });
    std::size_t query = lower.find('?');
    if (query == std::string::npos) return false;
    for (std::string_view name : {"password=", "pass=", "token="})
        for (std::size_t at = lower.find(name, query); at != std::string::npos;
             at = lower.find(name, at + 1))
            if (lower[at - 1] == '?' || lower[at - 1] == '&') return true;
    return false;
}

void CheckUrl(ConfigSection& section, const std::string& url) {
    std::size_t scheme = url.starts_with("http://") ? 7 : url.starts_with("https://") ? 8 : 0;
    if (scheme == 0) {
        section.ErrorAt("url", "expected a URL starting with http:// or https://");
        return;
    }
    std::string_view authority = std::string_view(url).substr(scheme);
    authority = authority.substr(0, authority.find_first_of("/?#"));
    if (authority.empty())
        section.ErrorAt("url", "has no host after " + url.substr(0, scheme));
    else if (authority.find('@') != std::string_view::npos || HasPasswordArgument(url))
        section.ErrorAt("url", "must not hold credentials: set username and password instead");
    else if (!UrlCharactersValid(url) || url.size() > kMaxUrlLength)
        section.ErrorAt("url", "expected a URL of printable ASCII without spaces (encode others "
                               "as %XX), at most 2000 characters");
}

void ParseWhere(ConfigSection& section, HttpJsonOptions& options) {
    // "" (the documented default) is the same as not set.
    auto url = section.String("url");
    if (url && url->empty()) url.reset();
    auto host = section.String("host");
    if (host && host->empty()) host.reset();
    if (!options.preset) {
        if (host) section.ErrorAt("host", "is for presets: without one, set url instead");
        if (!url)
            section.ErrorMissing("url", "set url to the address meteremu polls, e.g. "
                                        "url = \"http://192.168.1.60/status\", or use a preset");
        else
            CheckUrl(section, options.url = *url);
        return;
    }
    if (url) section.ErrorAt("url", "with a preset, set host only: the preset knows the path");
    if (!host) {
        section.ErrorMissing("host", "set host to the meter's IP address or host name, e.g. "
                                     "host = \"192.168.1.60\"");
        return;
    }
    if (host->find_first_of("/@?# ") != std::string::npos || !UrlCharactersValid(*host))
        section.ErrorAt("host", "expected only the meter's address or host name (optionally "
                                "with :port), without http:// or a path");
    options.url = "http://" + *host + std::string(http_json::PresetPath(*options.preset));
}

void ParseLogin(ConfigSection& section, HttpJsonOptions& options) {
    options.digest = options.preset && http_json::PresetUsesDigest(*options.preset);
    options.login_in_query = options.preset == Preset::Tasmota;
    if (auto auth = section.String("auth"); auth && !auth->empty()) {
        if (options.login_in_query)
            section.WarningAt("auth", "is not used with preset = \"tasmota\": Tasmota takes "
                                      "the login as the query arguments user and password");
        if (*auth == "basic" || *auth == "digest")
            options.digest = *auth == "digest";
        else
            section.ErrorAt("auth", "expected \"basic\" or \"digest\"");
    }
    options.username = section.String("username").value_or("");
    options.password = section.String("password").value_or("");
    options.password_file = section.String("password_file").value_or("");
    bool has_password = !options.password.empty() || !options.password_file.empty();
    if (!options.password.empty() && !options.password_file.empty())
        section.ErrorAt("password_file", "set password or password_file, not both");
    // Shelly Gen2 devices and Tasmota know one user, "admin".
    bool admin_only =
        options.preset && (http_json::PresetUsesDigest(*options.preset) || options.login_in_query);
    if (options.username.empty() && has_password && admin_only) options.username = "admin";
    if (options.username.empty() && has_password)
        section.ErrorAt(options.password.empty() ? "password_file" : "password",
                        "needs username too");
    if (!options.username.empty() && !has_password)
        section.ErrorAt("username", "needs password or password_file too");
}

void ParseScales(ConfigSection& section, HttpJsonOptions& options) {
    if (auto scale = section.Number("scale")) {
        if (*scale == 0 || std::abs(*scale) > 1e6)
            section.ErrorAt("scale", "expected a number other than 0 (watts per unit of the "
                                     "power fields: 1000 for kW), at most 1000000");
        else
            options.map.scale = *scale;
    }
    options.map.energy_scale = section.Bounded("energy_scale", options.map.energy_scale, 1e-6, 1e6);
    if (auto invert = section.Bool("invert")) options.map.invert = *invert;
}

} // namespace

std::unique_ptr<BackendOptions> ParseHttpJsonOptions(ConfigSection& section) {
    auto options = std::make_unique<HttpJsonOptions>();
    ParsePreset(section, *options);
    ParseWhere(section, *options);
    ParseLogin(section, *options);
    ParseFields(section, *options);
    ParseScales(section, *options);
    return options;
}

namespace {

std::unique_ptr<Backend> CreateHttpJson(const BackendOptions& options,
                                        const BackendContext& context) {
    return http_json::CreateHttpJsonBackend(static_cast<const HttpJsonOptions&>(options), context);
}

} // namespace

const BackendPlugin http_json_backend_plugin{"http_json", ParseHttpJsonOptions, CreateHttpJson};

} // namespace meteremu
