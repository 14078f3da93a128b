// SPDX-License-Identifier: MIT
// A configuration written for meteremu 0.1.0 (one [frontend] table) loads after an upgrade
// into the typed Config 0.1.0 made of it, field by field. The files are the etc/meteremu.toml
// shipped with 0.1.0, verbatim, and the same file edited by an owner who set every key. The
// expected values are written out, not computed, so that a change of the loader cannot move
// both sides at once.
#include "backends/envoy/envoy_options.hpp"
#include "config/config_loader.hpp"
#include "frontends/shelly/shelly_frontend.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace meteremu {
namespace {

using namespace std::chrono_literals;

const std::filesystem::path kConfigTests =
    std::filesystem::path(METEREMU_SOURCE_DIR) / "tests" / "unit" / "config";

std::string Release010(const std::string& name) {
    return test::ReadFile(kConfigTests / name);
}

std::string WithHost(const std::string& text) {
    return std::regex_replace(text, std::regex("\nhost = \"\"\n"), "\nhost = \"192.0.2.10\"\n");
}

/// One frontend's settings with the Shelly options spelled out.
struct ExpectedFrontend {
    FrontendSettings settings;
    std::optional<MacAddress> mac;
    shelly::Profile profile = shelly::Profile::Triphase;
};

/// The limits 0.1.0 applied when no limit key is set.
TransportLimits Release010DefaultLimits() {
    TransportLimits limits;
    limits.http.max_upgraded = 40; // max_websocket_clients + 8
    return limits;
}

ExpectedFrontend Release010Defaults() {
    ExpectedFrontend expected;
    expected.settings.type = "shelly";
    expected.settings.plugin = &shelly_frontend_plugin;
    expected.settings.listen = {"", 80, {1010, 2220}};
    expected.settings.limits = Release010DefaultLimits();
    return expected;
}

void ExpectSameFrontend(const ExpectedFrontend& expected, const FrontendSettings& actual) {
    const FrontendSettings& settings = expected.settings;
    EXPECT_EQ(actual.type, settings.type);
    EXPECT_EQ(actual.plugin, settings.plugin);
    EXPECT_EQ(actual.layout.phases, settings.layout.phases);
    EXPECT_EQ(actual.layout.phase, settings.layout.phase);
    EXPECT_EQ(actual.on_stale, settings.on_stale);
    EXPECT_EQ(actual.listen.address, settings.listen.address);
    EXPECT_EQ(actual.listen.http_port, settings.listen.http_port);
    EXPECT_EQ(actual.listen.udp_ports, settings.listen.udp_ports);
    EXPECT_TRUE(actual.limits == settings.limits);
    EXPECT_EQ(actual.limits.http.max_connections, settings.limits.http.max_connections);
    EXPECT_EQ(actual.limits.websocket.idle_timeout, settings.limits.websocket.idle_timeout);
    EXPECT_EQ(actual.mdns, settings.mdns);
    ASSERT_NE(actual.options, nullptr);
    const auto& shelly = static_cast<const ShellyOptions&>(*actual.options);
    EXPECT_EQ(shelly.mac, expected.mac);
    EXPECT_EQ(shelly.profile, expected.profile);
}

TEST(Release010ConfigTest, ShippedFileIsRefusedUntilHostIsSetAsBefore) {
    try {
        ParseConfig(Release010("meteremu-0.1.0.toml"), "meteremu.toml");
        FAIL() << "the 0.1.0 file was accepted with an empty host";
    } catch (const ConfigInvalid& invalid) {
        ASSERT_EQ(invalid.Diagnostics().size(), 1u) << invalid.what();
        EXPECT_EQ(invalid.Diagnostics()[0].Format(),
                  "meteremu.toml:94:8: backend.host: is empty: set it to the Envoy's IP address "
                  "or host name");
    }
}

TEST(Release010ConfigTest, ShippedFileWithHostGivesTheSameConfig) {
    Config config = ParseConfig(WithHost(Release010("meteremu-0.1.0.toml")), "meteremu.toml");
    EXPECT_EQ(config.log_level, log::Level::Info);
    ASSERT_EQ(config.frontends.size(), 1u);
    ExpectSameFrontend(Release010Defaults(), config.frontends[0]);
    EXPECT_EQ(config.backend.type, "envoy");
    EXPECT_EQ(config.backend.plugin, &envoy_backend_plugin);
    EXPECT_EQ(config.backend.poll_interval, Seconds(1.0));
    EXPECT_EQ(config.backend.stale_after, Seconds(10.0));
    const auto& envoy = static_cast<const EnvoyOptions&>(*config.backend.options);
    EXPECT_EQ(envoy.host, "192.0.2.10");
    EXPECT_EQ(envoy.token, "");
    EXPECT_FALSE(envoy.verify_ssl);
    EXPECT_EQ(envoy.enlighten_url, "https://enlighten.enphaseenergy.com");
    EXPECT_TRUE(config.warnings.empty());
    EXPECT_EQ(config.frontends.front().on_stale, OnStale::Silent);
}

ExpectedFrontend EditedFrontend() {
    ExpectedFrontend expected;
    FrontendSettings& settings = expected.settings;
    settings.type = "shelly";
    settings.plugin = &shelly_frontend_plugin;
    settings.layout = {1, Phase::C};
    settings.on_stale = OnStale::Last;
    settings.listen = {"192.0.2.20", 8080, {2220}};
    settings.mdns = false;
    std::string error;
    settings.limits.allow = AllowList(
        {*IpNetwork::Parse("192.168.1.0/24", error), *IpNetwork::Parse("fd00::/8", error)});
    settings.limits.http = {.max_connections = 100,
                            .max_connections_per_address = 8,
                            .max_upgraded = 12,
                            .idle_timeout = 12500ms,
                            .max_header_bytes = 4096,
                            .max_body_bytes = 2048};
    settings.limits.websocket.max_clients = 4;
    settings.limits.websocket.max_message_bytes = 8192;
    settings.limits.websocket.idle_timeout = 0ms;
    settings.limits.udp = {
        .max_request_bytes = 1024, .reply_rate = 2.5, .reply_bytes_per_second = 0};
    expected.mac = MacAddress{0xa0, 0xb1, 0xc2, 0xd3, 0xe4, 0xf5};
    expected.profile = shelly::Profile::Monophase;
    return expected;
}

TEST(Release010ConfigTest, EditedFileGivesTheSameConfig) {
    Config config = ParseConfig(Release010("meteremu-0.1.0-edited.toml"), "meteremu.toml");
    EXPECT_EQ(config.log_level, log::Level::Debug);
    ASSERT_EQ(config.frontends.size(), 1u);
    ExpectSameFrontend(EditedFrontend(), config.frontends[0]);
    EXPECT_EQ(config.backend.type, "envoy");
    EXPECT_EQ(config.backend.poll_interval, Seconds(2.0));
    EXPECT_EQ(config.backend.stale_after, Seconds(30.0));
    const auto& envoy = static_cast<const EnvoyOptions&>(*config.backend.options);
    EXPECT_EQ(envoy.host, "192.0.2.10");
    EXPECT_EQ(envoy.token_file, "/etc/meteremu/envoy.token");
    EXPECT_TRUE(envoy.verify_ssl);
    EXPECT_EQ(envoy.ca_file, "/etc/meteremu/envoy.pem");
    EXPECT_EQ(envoy.username, "me@example.com");
    EXPECT_EQ(envoy.serial, "122212345678");
    EXPECT_EQ(envoy.enlighten_url, "https://127.0.0.1:8443");
    EXPECT_EQ(envoy.entrez_url, "https://127.0.0.1:8444");
    EXPECT_TRUE(config.warnings.empty());
    EXPECT_EQ(config.frontends.front().on_stale, OnStale::Last);
    EXPECT_EQ(config.backend.stale_after, Seconds(30.0));
}

// The same keys under [[frontend]]: one device in the new form is the old table.
TEST(Release010ConfigTest, OneArrayTableGivesWhatTheTableGave) {
    std::string edited = Release010("meteremu-0.1.0-edited.toml");
    std::string array =
        std::regex_replace(edited, std::regex("\n\\[frontend\\]\n"), "\n[[frontend]]\n");
    ASSERT_NE(array, edited);
    Config config = ParseConfig(array, "meteremu.toml");
    ASSERT_EQ(config.frontends.size(), 1u);
    ExpectSameFrontend(EditedFrontend(), config.frontends[0]);
}

} // namespace
} // namespace meteremu
