// SPDX-License-Identifier: MIT
// Several emulated devices: [[frontend]] (an array of tables), one per device, each with the
// keys of a [frontend] table; no two may claim the same port.
#include "config/config_loader.hpp"
#include "config/config_summary.hpp"
#include "config/port_claims.hpp"
#include "frontends/shelly/shelly_frontend.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

constexpr std::string_view kTwoDevices = R"(log_level = "info"

[[frontend]]
type = "shelly"
mac = "A0B1C2D3E4F5"

[[frontend]]
profile = "monophase"
mac = "A0B1C2D3E4F6"
phases = 1
phase = "b"
http_port = 8080
udp_ports = [1011]
mdns = false
on_stale = "zero"
max_websocket_clients = 2

[backend]
type = "demo"
)";

const ShellyOptions& Shelly(const FrontendSettings& settings) {
    return static_cast<const ShellyOptions&>(*settings.options);
}

std::vector<ConfigDiagnostic> Errors(std::string_view text) {
    try {
        ParseConfig(text, "bad.toml");
    } catch (const ConfigInvalid& invalid) {
        return invalid.Diagnostics();
    }
    ADD_FAILURE() << "configuration was accepted:\n" << text;
    return {};
}

/// Expects exactly one error, formatted as `expected`.
void ExpectError(std::string_view text, const std::string& expected) {
    auto errors = Errors(text);
    ASSERT_EQ(errors.size(), 1u) << (errors.empty() ? "" : errors[0].Format());
    EXPECT_EQ(errors[0].Format(), expected);
}

TEST(FrontendsConfigTest, TwoDevicesEachWithTheirOwnKeys) {
    Config config = ParseConfig(kTwoDevices, "two.toml");
    ASSERT_EQ(config.frontends.size(), 2u);
    const FrontendSettings& first = config.frontends[0];
    const FrontendSettings& second = config.frontends[1];
    EXPECT_EQ(first.type, "shelly");
    EXPECT_EQ(first.plugin, &shelly_frontend_plugin);
    EXPECT_EQ(*Shelly(first).mac, (MacAddress{0xa0, 0xb1, 0xc2, 0xd3, 0xe4, 0xf5}));
    EXPECT_EQ(Shelly(first).profile, shelly::Profile::Triphase);
    EXPECT_EQ(first.layout.phases, 3);
    EXPECT_EQ(first.listen.http_port, 80);
    EXPECT_EQ(first.listen.udp_ports, (std::vector<std::uint16_t>{1010, 2220}));
    EXPECT_TRUE(first.mdns);
    EXPECT_EQ(first.on_stale, OnStale::Silent);
    EXPECT_EQ(first.limits.websocket.max_clients, 32u);
    // The second names no type: the first registered plugin, with its defaults.
    EXPECT_EQ(second.type, "shelly");
    EXPECT_EQ(second.plugin, &shelly_frontend_plugin);
    EXPECT_EQ(*Shelly(second).mac, (MacAddress{0xa0, 0xb1, 0xc2, 0xd3, 0xe4, 0xf6}));
    EXPECT_EQ(Shelly(second).profile, shelly::Profile::Monophase);
    EXPECT_EQ(second.layout.phases, 1);
    EXPECT_EQ(second.layout.phase, Phase::B);
    EXPECT_EQ(second.listen.http_port, 8080);
    EXPECT_EQ(second.listen.udp_ports, (std::vector<std::uint16_t>{1011}));
    EXPECT_FALSE(second.mdns);
    EXPECT_EQ(second.on_stale, OnStale::Zero);
    EXPECT_EQ(second.limits.websocket.max_clients, 2u);
    EXPECT_EQ(first.ordinal, 0u);
    EXPECT_EQ(second.ordinal, 1u) << "the second Shelly";
    EXPECT_TRUE(config.warnings.empty());
}

TEST(FrontendsConfigTest, KeysLeftOutTakeThePluginsDefaults) {
    const FrontendDefaults& defaults = shelly_frontend_plugin.defaults;
    EXPECT_EQ(defaults.http_port, 80);
    EXPECT_EQ(std::vector<std::uint16_t>(defaults.udp_ports.begin(), defaults.udp_ports.end()),
              (std::vector<std::uint16_t>{1010, 2220}));
    Config config = ParseConfig("[[frontend]]\n[backend]\ntype = \"demo\"\n", "one.toml");
    ASSERT_EQ(config.frontends.size(), 1u);
    EXPECT_EQ(config.frontends[0].listen.http_port, 80);
    EXPECT_EQ(config.frontends[0].listen.udp_ports, (std::vector<std::uint16_t>{1010, 2220}));
    // An empty list turns UDP off rather than falling back to the defaults.
    config = ParseConfig("[[frontend]]\nudp_ports = []\n[backend]\ntype = \"demo\"\n", "u.toml");
    EXPECT_TRUE(config.frontends[0].listen.udp_ports.empty());
}

TEST(FrontendsConfigTest, TableAndArrayOfTablesInOneFileIsAnError) {
    ExpectError("[frontend]\nmac = \"A0B1C2D3E4F5\"\n\n[[frontend]]\nhttp_port = 8080\n"
                "[backend]\ntype = \"demo\"\n",
                "bad.toml:4:1: Error while parsing table header: cannot redefine existing table "
                "'frontend' as array-of-tables: write either one [frontend] table or one "
                "[[frontend]] table per device");
    ExpectError("[[frontend]]\nhttp_port = 8080\n\n[frontend]\nmdns = false\n"
                "[backend]\ntype = \"demo\"\n",
                "bad.toml:4:1: Error while parsing table header: cannot redefine existing array "
                "'frontend' as table: write either one [frontend] table or one [[frontend]] "
                "table per device");
}

TEST(FrontendsConfigTest, SecondClaimOfAPortIsAnErrorAtIt) {
    // Both on the shelly defaults: the second [[frontend]] claims 80, 1010 and 2220 again,
    // at its header since it sets none of them.
    auto errors = Errors("[[frontend]]\nmac = \"A0B1C2D3E4F5\"\n"
                         "[[frontend]]\nmac = \"A0B1C2D3E4F6\"\n[backend]\ntype = \"demo\"\n");
    ASSERT_EQ(errors.size(), 3u);
    EXPECT_EQ(errors[0].Format(),
              "bad.toml:3:1: frontend.http_port: TCP port 80 on every address is already claimed "
              "at line 1 by another frontend; give each frontend its own ports or listen_address");
    EXPECT_EQ(errors[1].Format(),
              "bad.toml:3:1: frontend.udp_ports: UDP port 1010 on every address is already "
              "claimed at line 1 by another frontend; give each frontend its own ports or "
              "listen_address");
    EXPECT_NE(errors[2].message.find("UDP port 2220"), std::string::npos);
    // A port written out: the error points at the value that claims it second.
    ExpectError("[[frontend]]\nhttp_port = 8080\nudp_ports = [2220]\n\n"
                "[[frontend]]\nlisten_address = \"127.0.0.1\"\nhttp_port = 81\n"
                "udp_ports = [1011, 2220]\n"
                "[backend]\ntype = \"demo\"\n",
                "bad.toml:8:20: frontend.udp_ports: UDP port 2220 on 127.0.0.1 is already "
                "claimed at line 3 by another frontend; give each frontend its own ports or "
                "listen_address");
    ExpectError("[[frontend]]\nhttp_port = 8080\nudp_ports = []\n"
                "[[frontend]]\nhttp_port = 8080\nudp_ports = []\n[backend]\ntype = \"demo\"\n",
                "bad.toml:5:13: frontend.http_port: TCP port 8080 on every address is already "
                "claimed at line 2 by another frontend; give each frontend its own ports or "
                "listen_address");
}

TEST(FrontendsConfigTest, PortsMayRepeatOnOtherAddressesProtocolsOrZero) {
    Config config = ParseConfig("[[frontend]]\nlisten_address = \"127.0.0.1\"\n"
                                "http_port = 8080\nudp_ports = [1010, 0]\n"
                                "[[frontend]]\nlisten_address = \"127.0.0.2\"\n"
                                "http_port = 8080\nudp_ports = [8081, 0]\n"
                                "[[frontend]]\nlisten_address = \"::1\"\n"
                                "http_port = 1010\nudp_ports = [1010, 0]\n"
                                "[backend]\ntype = \"demo\"\n",
                                "ok.toml");
    EXPECT_EQ(config.frontends.size(), 3u);
}

TEST(FrontendsConfigTest, ListenAddressesOverlapWhenOneTakesTheOthersPackets) {
    EXPECT_TRUE(ListenAddressesOverlap("", "127.0.0.1"));
    EXPECT_TRUE(ListenAddressesOverlap("::", "192.0.2.1"));
    EXPECT_TRUE(ListenAddressesOverlap("0.0.0.0", "192.0.2.1"));
    EXPECT_TRUE(ListenAddressesOverlap("192.0.2.1", "0.0.0.0"));
    EXPECT_TRUE(ListenAddressesOverlap("2001:db8::1", "2001:DB8:0::1"));
    EXPECT_TRUE(ListenAddressesOverlap("0.0.0.0", "::"));
    EXPECT_FALSE(ListenAddressesOverlap("0.0.0.0", "::1"));
    EXPECT_FALSE(ListenAddressesOverlap("127.0.0.1", "127.0.0.2"));
    EXPECT_FALSE(ListenAddressesOverlap("127.0.0.1", "::1"));
}

TEST(FrontendsConfigTest, ErrorsInOneFrontendNameItsPosition) {
    ExpectError(
        "[[frontend]]\nhttp_port = 8080\nudp_ports = []\n\n"
        "[[frontend]]\nhttp_port = 8081\nmacc = \"A0B1C2D3E4F6\"\nudp_ports = []\n"
        "[backend]\ntype = \"demo\"\n",
        "bad.toml:7:1: unknown key 'macc' in [[frontend]]; expected one of: "
        "allow, channel0, http_port, http_repeat_policy, idle_timeout, listen_address, mac, "
        "max_body_bytes, max_connections, max_connections_per_address, max_header_bytes, "
        "max_hold, max_udp_request_bytes, max_websocket_clients, max_websocket_message_bytes, "
        "mdns, model, offset_a, offset_b, offset_c, on_stale, phase, phases, profile, scale_a, "
        "scale_b, scale_c, slew_limit, type, udp_ports, udp_repeat_policy, "
        "udp_reply_bytes_per_second, udp_reply_rate, websocket_idle_timeout, "
        "websocket_repeat_policy");
    ExpectError("[[frontend]]\nudp_ports = []\n[[frontend]]\nhttp_port = 8081\nmac = \"A0B1\"\n"
                "udp_ports = []\n[backend]\ntype = \"demo\"\n",
                "bad.toml:5:7: frontend.mac: expected 12 hexadecimal digits such as "
                "\"A0B1C2D3E4F5\" (\":\" or \"-\" between pairs allowed), or \"\" to derive one "
                "from /etc/machine-id");
    ExpectError(
        "[[frontend]]\ntype = \"ecotracker\"\nmac = \"A0B1C2D3E4F5\"\nserial = \"588C81C42374\"\n"
        "[backend]\ntype = \"demo\"\n",
        "bad.toml:4:10: frontend.serial: expected 12 lower-case hexadecimal digits, or "
        "\"\" for the MAC's");
    ExpectError("[[frontend]]\ntype = \"ecotracker\"\nserial = \"588c81c4237\"\n"
                "[backend]\ntype = \"demo\"\n",
                "bad.toml:3:10: frontend.serial: expected 12 lower-case hexadecimal digits, or "
                "\"\" for the MAC's");
    ExpectError("[[frontend]]\nudp_ports = []\n[[frontend]]\nhttp_port = 8081\ntype = \"sma\"\n"
                "[backend]\ntype = \"demo\"\n",
                "bad.toml:5:8: frontend.type: expected one of \"shelly\", \"shelly_gen1\", "
                "\"ecotracker\", \"homewizard\", \"ct002\"");
}

TEST(FrontendsConfigTest, AnArrayMustHoldTablesAndAtLeastOne) {
    ExpectError("frontend = []\n[backend]\ntype = \"demo\"\n",
                "bad.toml:1:12: frontend: expected at least one frontend ([[frontend]]), got "
                "none");
    ExpectError("frontend = [{ http_port = 8080 }, 3]\n[backend]\ntype = \"demo\"\n",
                "bad.toml:1:35: frontend: expected a table ([[frontend]]), got an integer");
    ExpectError("frontend = 3\n[backend]\ntype = \"demo\"\n",
                "bad.toml:1:12: frontend: expected a table ([frontend]) or an array of tables "
                "([[frontend]]), got an integer");
}

TEST(ConfigSummaryTest, NamesEveryFrontendAndWhereItListens) {
    Config config = ParseConfig(kTwoDevices, "two.toml");
    EXPECT_EQ(SummaryLines(config),
              (std::vector<std::string>{
                  "frontend 1: shelly on every address, HTTP port 80, UDP ports 1010 and 2220, "
                  "mDNS",
                  "frontend 2: shelly on every address, HTTP port 8080, UDP port 1011, no mDNS",
                  "backend: demo"}));
    EXPECT_EQ(DescribeFrontend(DemoConfig().frontends.at(0)),
              "shelly on 127.0.0.1, HTTP port 8080, UDP ports 11010 and 12220, no mDNS");
}

} // namespace
} // namespace meteremu
