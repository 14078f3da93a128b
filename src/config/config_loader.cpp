// SPDX-License-Identifier: MIT
#include "config/config_loader.hpp"

#include "backends/backend.hpp"
#include "build_config.hpp"
#include "config/config_section.hpp"
#include "config/port_claims.hpp"
#include "config/signal_config.hpp"
#include "config/transport_limits_config.hpp"
#include "frontends/frontend.hpp"
#include "util/port_number.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace meteremu {
namespace {

constexpr double kMaxPollInterval = 3600;
constexpr double kMaxStaleAfter = 86400;

constexpr std::string_view kDemoConfig = R"(
[frontend]
type = "shelly"
listen_address = "127.0.0.1"
http_port = 8080
udp_ports = [11010, 12220]
mdns = false

[backend]
type = "demo"
)";

std::string JoinNames(const std::vector<std::string_view>& names) {
    std::string text;
    for (auto name : names)
        text += (text.empty() ? "\"" : ", \"") + std::string(name) + "\"";
    return text;
}

toml::source_position SectionPosition(const toml::table* table) {
    return table ? table->source().begin : toml::source_position{1, 1};
}

std::optional<std::uint16_t> Port(ConfigSection& section, std::string_view key,
                                  std::int64_t value) {
    if (value < 0 || value > 65535) {
        section.ErrorAt(key,
                        "expected a port number from 0 to 65535, got " + std::to_string(value));
        return std::nullopt;
    }
    return static_cast<std::uint16_t>(value);
}

void ParseSiteLayout(ConfigSection& section, FrontendSettings& settings) {
    if (auto phases = section.Integer("phases")) {
        if (*phases == 1 || *phases == 3)
            settings.layout.phases = static_cast<int>(*phases);
        else
            section.ErrorAt("phases",
                            "expected 1 (single-phase site) or 3, got " + std::to_string(*phases));
    }
    auto phase = section.String("phase");
    if (!phase) return;
    if (*phase == "a" || *phase == "b" || *phase == "c")
        settings.layout.phase = static_cast<Phase>((*phase)[0] - 'a');
    else
        section.ErrorAt("phase", "expected \"a\", \"b\" or \"c\"");
    if (settings.layout.phases != 1) section.WarningAt("phase", "has no effect unless phases = 1");
}

void ParseListen(ConfigSection& section, ListenSettings& listen) {
    if (auto address = section.String("listen_address")) listen.address = *address;
    if (auto http_port = section.Integer("http_port"))
        if (auto port = Port(section, "http_port", *http_port)) listen.http_port = *port;
    if (auto udp_ports = section.IntegerArray("udp_ports")) {
        listen.udp_ports.clear();
        for (auto value : *udp_ports) {
            auto port = Port(section, "udp_ports", value);
            if (!port) continue;
            // Port 0 (any free port, for tests) may repeat; a real port is bound once.
            if (*port != 0 && std::count(listen.udp_ports.begin(), listen.udp_ports.end(), *port))
                section.ErrorAt("udp_ports", "port " + std::to_string(*port) + " is listed twice");
            listen.udp_ports.push_back(*port);
        }
    }
}

// The top level's own keys; Build() reads the [frontend] and [backend] tables.
void ParseTopLevel(ConfigSection& top, Config& config) {
    auto level = top.String("log_level");
    if (!level) return;
    if (auto parsed = log::ParseLevel(*level))
        config.log_level = *parsed;
    else
        top.ErrorAt("log_level",
                    "expected \"error\", \"warning\", \"notice\", \"info\" or \"debug\"");
}

void ApplyDefaults(const FrontendDefaults& defaults, ListenSettings& listen) {
    listen.http_port = defaults.http_port;
    listen.udp_ports.assign(defaults.udp_ports.begin(), defaults.udp_ports.end());
}

// [frontend] keys of every frontend. The plugin's defaults apply to the keys left out.
void ParseFrontendCommon(ConfigSection& section, FrontendSettings& settings) {
    if (auto type = section.String("type")) settings.type = *type;
    settings.plugin = FindFrontendPlugin(settings.type);
    if (settings.plugin) ApplyDefaults(settings.plugin->defaults, settings.listen);
    ParseSiteLayout(section, settings);
    ParseListen(section, settings.listen);
    ParseTransportLimits(section, settings.limits);
    if (auto mdns = section.Bool("mdns")) settings.mdns = *mdns;
    ParseSampleGating(section, settings.gating);
    ParseSignalShaping(section, settings.shaping);
    if (auto on_stale = section.String("on_stale")) {
        if (auto mode = ParseOnStale(*on_stale))
            settings.on_stale = *mode;
        else
            section.ErrorAt("on_stale", "expected \"silent\", \"zero\" or \"last\"");
    }
}

FrontendSettings ParseFrontend(ConfigSection& section) {
    FrontendSettings settings;
    settings.type = FrontendPluginNames().front();
    ParseFrontendCommon(section, settings);
    if (!settings.plugin) {
        section.ErrorAt("type", UnknownPluginType("frontend", settings.type, FrontendPluginNames(),
                                                  build::kFrontendsLeftOut));
        return settings;
    }
    settings.options = settings.plugin->parse(section);
    if (auto ports = settings.options->DefaultUdpPorts(); ports && !section.Has("udp_ports"))
        settings.listen.udp_ports = *ports;
    section.ReportUnknownKeys();
    return settings;
}

// [backend] keys of every backend. Returns the type when it is a string.
std::optional<std::string> ParseBackendCommon(ConfigSection& section, BackendSettings& settings) {
    auto type = section.String("type");
    settings.poll_interval = Seconds(section.Seconds("poll_interval", 1.0, kMaxPollInterval));
    settings.stale_after = Seconds(section.Seconds("stale_after", 10.0, kMaxStaleAfter));
    if (section.Has("stale_after") && settings.stale_after <= settings.poll_interval)
        section.ErrorAt("stale_after", "must be longer than poll_interval, or every reading "
                                       "turns stale before the next one arrives");
    return type;
}

BackendSettings ParseBackend(ConfigSection& section) {
    BackendSettings settings;
    auto type = ParseBackendCommon(section, settings);
    std::string names = JoinNames(BackendPluginNames());
    if (!type) {
        if (!section.Has("type")) section.ErrorMissing("type", "expected one of " + names);
        return settings;
    }
    settings.type = *type;
    settings.plugin = FindBackendPlugin(settings.type);
    if (!settings.plugin) {
        section.ErrorAt("type", UnknownPluginType("backend", settings.type, BackendPluginNames(),
                                                  build::kBackendsLeftOut));
        return settings;
    }
    settings.options = settings.plugin->parse(section);
    section.ReportUnknownKeys();
    return settings;
}

// The frontend tables of the file: the single [frontend] (null when the file has none, which
// gives the defaults) or each [[frontend]] of an array of tables.
struct FrontendTables {
    std::vector<const toml::table*> tables;
    bool array = false;
};

FrontendTables FindFrontendTables(ConfigSection& top, const toml::table& root) {
    const toml::node* node = root.get("frontend");
    FrontendTables found{top.Tables("frontend"), node && node->is_array()};
    if (!node) found.tables.push_back(nullptr);
    if (found.array && node->as_array()->empty())
        top.ErrorAt("frontend", "expected at least one frontend ([[frontend]]), got none");
    return found;
}

// Each frontend in file order; no two may claim the same port.
std::vector<FrontendSettings> ParseFrontends(const FrontendTables& found,
                                             Diagnostics& diagnostics) {
    std::vector<FrontendSettings> frontends;
    PortClaims claims;
    for (const toml::table* table : found.tables) {
        ConfigSection section("frontend", table, SectionPosition(table), diagnostics,
                              found.array ? "[[frontend]]" : "");
        frontends.push_back(ParseFrontend(section));
        FrontendSettings& added = frontends.back();
        for (std::size_t i = 0; i + 1 < frontends.size(); ++i)
            added.ordinal += frontends[i].type == added.type ? 1 : 0;
        claims.Claim(section, added.listen);
    }
    return frontends;
}

/// The page's own port may not be a frontend's HTTP port on an address both would bind.
void CheckStatusPort(ConfigSection& section, const ListenSettings& listen,
                     const std::vector<FrontendSettings>& frontends) {
    if (listen.http_port == 0) return;
    for (const FrontendSettings& frontend : frontends) {
        const ListenSettings& other = frontend.listen;
        bool same_address =
            listen.address.empty() || other.address.empty() || listen.address == other.address;
        if (other.http_port == listen.http_port && same_address)
            section.ErrorAt("listen", "port " + std::to_string(listen.http_port) +
                                          " is a frontend's HTTP port; give the status page "
                                          "another one, or leave listen out to serve it on "
                                          "every frontend's port");
    }
}

/// "ADDRESS:PORT", "[IPv6]:PORT" or ":PORT" (every address); port 0: any free one (tests).
std::optional<ListenSettings> ParseListenText(std::string_view text) {
    auto split = SplitHostAndPort(text);
    if (!split || !split->port) return std::nullopt;
    if (!split->bracketed && split->host.find(':') != std::string_view::npos)
        return std::nullopt; // an IPv6 address takes brackets
    auto port =
        *split->port == "0" ? std::optional<std::uint16_t>(0) : ParsePortNumber(*split->port);
    if (!port) return std::nullopt;
    return ListenSettings{std::string(split->host), *port, {}};
}

/// `listen` moves the page to a port of its own; `allow` belongs to that port.
void ParseStatusListen(ConfigSection& section, StatusSettings& settings,
                       const std::vector<FrontendSettings>& frontends) {
    auto listen = section.String("listen");
    AllowList allow = ParseAllow(section);
    if (!listen || listen->empty()) {
        if (section.Has("allow"))
            section.ErrorAt("allow", "applies to the status page's own port: set listen too "
                                     "(without it the page is on every frontend's HTTP port, "
                                     "under that frontend's allow)");
        return;
    }
    auto parsed = ParseListenText(*listen);
    if (!parsed) {
        section.ErrorAt("listen", "expected ADDRESS:PORT, [IPv6]:PORT or :PORT (every "
                                  "address), e.g. \"192.168.1.5:8081\"");
        return;
    }
    settings.allow = std::move(allow);
    CheckStatusPort(section, *parsed, frontends);
    settings.listen = std::move(parsed);
}

StatusSettings ParseStatus(ConfigSection& section, const std::vector<FrontendSettings>& frontends) {
    StatusSettings settings;
    if (auto enabled = section.Bool("enabled")) settings.enabled = *enabled;
    if (auto dbus = section.Bool("dbus")) settings.dbus = *dbus;
    ParseStatusListen(section, settings, frontends);
    section.ReportUnknownKeys();
    return settings;
}

Config Build(const toml::table& root, Diagnostics& diagnostics) {
    Config config;
    config.source = diagnostics.File();
    ConfigSection top("", &root, {1, 1}, diagnostics);
    ParseTopLevel(top, config);
    FrontendTables frontends = FindFrontendTables(top, root);
    const toml::table* backend = top.Table("backend");
    const toml::table* status = top.Table("status");
    top.ReportUnknownKeys();
    config.frontends = ParseFrontends(frontends, diagnostics);
    if (status) {
        ConfigSection status_section("status", status, SectionPosition(status), diagnostics);
        config.status = ParseStatus(status_section, config.frontends);
    }
    if (!top.Has("backend"))
        diagnostics.Error(
            1, 1, "no [backend] section: add one with type = " + JoinNames(BackendPluginNames()));
    else if (backend) {
        ConfigSection backend_section("backend", backend, SectionPosition(backend), diagnostics);
        config.backend = ParseBackend(backend_section);
    }
    return config;
}

// toml++ refuses a [frontend] table and [[frontend]] tables in one file as a redefinition of
// one by the other, at the second header; its message does not say what to do instead.
std::string Explained(std::string_view description) {
    std::string text(description);
    if (text.find("redefine existing") != std::string::npos &&
        text.find("'frontend'") != std::string::npos)
        text += ": write either one [frontend] table or one [[frontend]] table per device";
    return text;
}

std::string ReadFile(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file)
        throw ConfigInvalid({{path, 0, 0, "cannot read: " + std::string(std::strerror(errno))}});
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

} // namespace

std::string UnknownPluginType(std::string_view kind, std::string_view type,
                              const std::vector<std::string_view>& built,
                              std::string_view left_out) {
    std::string expected = "expected one of " + JoinNames(built);
    for (std::size_t start = 0; start < left_out.size();) {
        std::size_t end = std::min(left_out.find(' ', start), left_out.size());
        if (left_out.substr(start, end - start) == type)
            return "the " + std::string(type) + " " + std::string(kind) +
                   " is not built in this build of meteremu (a library it needs was missing "
                   "when it was compiled): " +
                   expected;
        start = end + 1;
    }
    return expected;
}

Config ParseConfig(std::string_view text, const std::string& source_name) {
    Diagnostics diagnostics(source_name);
    toml::table root;
    try {
        root = toml::parse(text, source_name);
    } catch (const toml::parse_error& error) {
        auto at = error.source().begin;
        diagnostics.Error(at.line, at.column, Explained(error.description()));
        throw ConfigInvalid(diagnostics.Items());
    }
    Config config = Build(root, diagnostics);
    if (diagnostics.HasErrors()) throw ConfigInvalid(diagnostics.Items());
    config.warnings = diagnostics.Items();
    return config;
}

Config LoadConfigFile(const std::string& path) {
    return ParseConfig(ReadFile(path), path);
}

Config DemoConfig() {
    return ParseConfig(kDemoConfig, "<demo>");
}

std::vector<ConfigKeys> AcceptedConfigKeys() {
    // Each parser runs on an empty section, which records every key it asks for.
    Diagnostics ignored("<keys>");
    Config config;
    std::vector<ConfigKeys> tables;
    auto record = [&](std::string section, std::string_view plugin, auto&& parse) {
        ConfigSection recorder(section, nullptr, {1, 1}, ignored);
        parse(recorder);
        tables.push_back({std::move(section), std::string(plugin), recorder.KnownKeys()});
    };
    record("", "", [&](ConfigSection& top) { ParseTopLevel(top, config); });
    FrontendSettings frontend;
    record("frontend", "", [&](ConfigSection& section) { ParseFrontendCommon(section, frontend); });
    for (auto name : FrontendPluginNames())
        record("frontend", name, FindFrontendPlugin(name)->parse);
    record("backend", "",
           [&](ConfigSection& section) { ParseBackendCommon(section, config.backend); });
    for (auto name : BackendPluginNames())
        record("backend", name, FindBackendPlugin(name)->parse);
    record("status", "", [](ConfigSection& section) { ParseStatus(section, {}); });
    return tables;
}

} // namespace meteremu
