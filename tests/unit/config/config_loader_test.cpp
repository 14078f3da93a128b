// SPDX-License-Identifier: MIT
#include "backends/demo/demo_backend.hpp"
#include "backends/envoy/envoy_options.hpp"
#include "config/config_loader.hpp"
#include "frontends/shelly/shelly_frontend.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

constexpr std::string_view kValid = R"(log_level = "debug"

[frontend]
type = "shelly"
mac = "a0:b1:c2:d3:e4:f5"
phases = 1
phase = "b"
mdns = false
listen_address = "127.0.0.1"
http_port = 8081
udp_ports = [1010]
on_stale = "zero"

[backend]
type = "envoy"
host = "192.168.1.50"
token = "eyJ.eyJ.sig"
poll_interval = 2
verify_ssl = true
stale_after = 15.5
)";

/// The diagnostics of a configuration that must fail.
std::vector<ConfigDiagnostic> Errors(std::string_view text) {
    try {
        ParseConfig(text, "bad.toml");
    } catch (const ConfigInvalid& invalid) {
        return invalid.Diagnostics();
    }
    ADD_FAILURE() << "configuration was accepted:\n" << text;
    return {};
}

/// Expects exactly one error, at `position` ("LINE:COLUMN"), containing `words`.
void ExpectError(std::string_view text, const std::string& position, const std::string& words) {
    auto errors = Errors(text);
    ASSERT_EQ(errors.size(), 1u) << (errors.empty() ? "" : errors[0].Format());
    std::string formatted = errors[0].Format();
    EXPECT_TRUE(formatted.starts_with("bad.toml:" + position + ": ")) << formatted;
    EXPECT_NE(formatted.find(words), std::string::npos) << formatted;
}

TEST(ConfigLoaderTest, ValidFileGivesTypedSettings) {
    Config config = ParseConfig(kValid, "good.toml");
    EXPECT_EQ(config.log_level, log::Level::Debug);
    EXPECT_EQ(config.frontends[0].type, "shelly");
    EXPECT_EQ(config.frontends[0].layout.phases, 1);
    EXPECT_EQ(config.frontends[0].layout.phase, Phase::B);
    EXPECT_FALSE(config.frontends[0].mdns);
    EXPECT_EQ(config.frontends[0].on_stale, OnStale::Zero);
    EXPECT_EQ(config.frontends[0].listen.address, "127.0.0.1");
    EXPECT_EQ(config.frontends[0].listen.http_port, 8081);
    EXPECT_EQ(config.frontends[0].listen.udp_ports, std::vector<std::uint16_t>{1010});
    const auto& shelly = static_cast<const ShellyOptions&>(*config.frontends[0].options);
    EXPECT_EQ(*shelly.mac, (MacAddress{0xa0, 0xb1, 0xc2, 0xd3, 0xe4, 0xf5}));
    EXPECT_EQ(config.backend.type, "envoy");
    EXPECT_EQ(config.backend.poll_interval.count(), 2.0);
    EXPECT_EQ(config.backend.stale_after.count(), 15.5);
    const auto& envoy = static_cast<const EnvoyOptions&>(*config.backend.options);
    EXPECT_EQ(envoy.host, "192.168.1.50");
    EXPECT_TRUE(envoy.verify_ssl);
    EXPECT_TRUE(config.warnings.empty());
}

TEST(ConfigLoaderTest, DefaultsFollowTheDesign) {
    Config config = ParseConfig("[backend]\ntype = \"demo\"\n", "min.toml");
    EXPECT_EQ(config.log_level, log::Level::Info);
    EXPECT_EQ(config.frontends[0].type, "shelly");
    EXPECT_EQ(config.frontends[0].layout.phases, 3);
    EXPECT_TRUE(config.frontends[0].mdns);
    EXPECT_EQ(config.frontends[0].on_stale, OnStale::Silent);
    EXPECT_EQ(config.frontends[0].listen.address, "");
    EXPECT_EQ(config.frontends[0].listen.http_port, 80);
    EXPECT_EQ(config.frontends[0].listen.udp_ports, (std::vector<std::uint16_t>{1010, 2220}));
    EXPECT_EQ(config.backend.poll_interval.count(), 1.0);
    EXPECT_EQ(config.backend.stale_after.count(), 10.0);
    EXPECT_EQ(static_cast<const DemoOptions&>(*config.backend.options).seed, 42u);
}

TEST(ConfigLoaderTest, DemoConfigServesOnLoopback) {
    Config config = DemoConfig();
    EXPECT_EQ(config.source, "<demo>");
    EXPECT_EQ(config.backend.type, "demo");
    EXPECT_EQ(config.frontends[0].listen.address, "127.0.0.1");
    EXPECT_EQ(config.frontends[0].listen.http_port, 8080);
    EXPECT_EQ(config.frontends[0].listen.udp_ports, (std::vector<std::uint16_t>{11010, 12220}));
    EXPECT_FALSE(config.frontends[0].mdns);
}

TEST(ConfigLoaderTest, TheStatusPageMovesToAPortOfItsOwnWithListen) {
    Config config = ParseConfig("[backend]\ntype = \"demo\"\n[status]\n"
                                "listen = \"127.0.0.1:8081\"\nallow = [\"10.0.0.0/8\"]\n"
                                "dbus = false\n",
                                "t.toml");
    ASSERT_TRUE(config.status.listen);
    EXPECT_EQ(config.status.listen->http_port, 8081);
    EXPECT_EQ(config.status.listen->address, "127.0.0.1");
    EXPECT_EQ(config.status.allow.Networks().size(), 1u);
    EXPECT_FALSE(config.status.dbus);
    auto listen = [](const char* text) {
        return ParseConfig(std::string("[backend]\ntype = \"demo\"\n[status]\nlisten = \"") + text +
                               "\"\n",
                           "t.toml")
            .status.listen;
    };
    EXPECT_EQ(listen("[::1]:9100")->address, "::1");
    EXPECT_EQ(listen(":9100")->address, "");
    EXPECT_EQ(listen(":9100")->http_port, 9100);
    EXPECT_FALSE(listen(""));
    EXPECT_FALSE(ParseConfig("[backend]\ntype = \"demo\"\n", "t.toml").status.listen);
    ExpectError("[backend]\ntype = \"demo\"\n[status]\nlisten = \"::1:80\"\n", "4:10",
                "listen: expected ADDRESS:PORT, [IPv6]:PORT or :PORT");
    ExpectError("[backend]\ntype = \"demo\"\n[status]\nlisten = \"host:99999\"\n", "4:10",
                "expected ADDRESS:PORT");
    ExpectError("[backend]\ntype = \"demo\"\n[status]\nallow = [\"10.0.0.0/8\"]\n", "4:9",
                "allow: applies to the status page's own port: set listen too");
    ExpectError("[frontend]\nhttp_port = 8080\n[backend]\ntype = \"demo\"\n[status]\n"
                "listen = \":8080\"\n",
                "6:10", "port 8080 is a frontend's HTTP port");
}

TEST(ConfigLoaderTest, SyntaxError) {
    ExpectError("[backend]\ntype = \"demo\nseed = 1\n", "2:13", "Error while parsing string");
}

TEST(ConfigLoaderTest, UnknownKeys) {
    ExpectError("[backend]\ntype = \"demo\"\npoll_intervall = 2\n", "3:1",
                "unknown key 'poll_intervall' in [backend]; expected one of:");
    ExpectError("[frontend]\nmacc = \"\"\n[backend]\ntype = \"demo\"\n", "2:1",
                "unknown key 'macc' in [frontend]");
    ExpectError("loglevel = \"info\"\n[backend]\ntype = \"demo\"\n", "1:1",
                "unknown key 'loglevel'");
    // An envoy key under the demo backend is unknown there.
    ExpectError("[backend]\ntype = \"demo\"\nhost = \"x\"\n", "3:1", "unknown key 'host'");
}

TEST(ConfigLoaderTest, WrongTypes) {
    ExpectError("[backend]\ntype = \"demo\"\npoll_interval = \"fast\"\n", "3:17",
                "backend.poll_interval: expected a number, got a string");
    ExpectError("[frontend]\nmdns = \"yes\"\n[backend]\ntype = \"demo\"\n", "2:8",
                "frontend.mdns: expected true or false, got a string");
    ExpectError("[frontend]\nudp_ports = [1010, \"2220\"]\n[backend]\ntype = \"demo\"\n", "2:20",
                "frontend.udp_ports: expected an integer, got a string");
    ExpectError("backend = 3\n", "1:11", "backend: expected a table");
}

TEST(ConfigLoaderTest, OutOfRange) {
    ExpectError("[frontend]\nphases = 2\n[backend]\ntype = \"demo\"\n", "2:10",
                "frontend.phases: expected 1 (single-phase site) or 3, got 2");
    ExpectError("[backend]\ntype = \"demo\"\npoll_interval = 0\n", "3:17",
                "expected a number of seconds greater than 0");
    ExpectError("[backend]\ntype = \"demo\"\npoll_interval = -1.5\n", "3:17", "got -1.5");
    ExpectError("[frontend]\nhttp_port = 70000\n[backend]\ntype = \"demo\"\n", "2:13",
                "expected a port number from 0 to 65535");
    ExpectError("[frontend]\nphase = \"d\"\nphases = 1\n[backend]\ntype = \"demo\"\n", "2:9",
                "expected \"a\", \"b\" or \"c\"");
    ExpectError("[frontend]\non_stale = \"maybe\"\n[backend]\ntype = \"demo\"\n", "2:12",
                "expected \"silent\", \"zero\" or \"last\"");
    ExpectError("log_level = \"loud\"\n[backend]\ntype = \"demo\"\n", "1:13",
                "log_level: expected \"error\"");
    ExpectError("[backend]\ntype = \"demo\"\npoll_interval = 5\nstale_after = 5\n", "4:15",
                "must be longer than poll_interval");
    ExpectError("[backend]\ntype = \"demo\"\nseed = -4\n", "3:8", "0 or more");
}

TEST(ConfigLoaderTest, MacMustBeTwelveHexDigits) {
    for (const char* bad :
         {"\"A0B1C2D3E4\"", "\"A0B1C2D3E4F5A6\"", "\"G0B1C2D3E4F5\"", "\"A0:B1:C2:D3:E4\""}) {
        std::string text =
            std::string("[frontend]\nmac = ") + bad + "\n[backend]\ntype = \"demo\"\n";
        ExpectError(text, "2:7", "frontend.mac: expected 12 hexadecimal digits");
    }
}

TEST(ConfigLoaderTest, ShellyProfile) {
    Config config =
        ParseConfig("[frontend]\nprofile = \"monophase\"\n[backend]\ntype = \"demo\"\n", "p.toml");
    EXPECT_EQ(static_cast<const ShellyOptions&>(*config.frontends[0].options).profile,
              shelly::Profile::Monophase);
    ExpectError("[frontend]\nprofile = \"single\"\n[backend]\ntype = \"demo\"\n", "2:11",
                "frontend.profile: expected \"triphase\"");
}

TEST(ConfigLoaderTest, UdpPortsAreDistinct) {
    ExpectError("[frontend]\nudp_ports = [1010, 2220, 1010]\n[backend]\ntype = \"demo\"\n", "2:13",
                "frontend.udp_ports: port 1010 is listed twice");
    Config config = ParseConfig("[frontend]\nudp_ports = [0, 0]\n[backend]\ntype = \"demo\"\n",
                                "ephemeral.toml");
    EXPECT_EQ(config.frontends[0].listen.udp_ports, (std::vector<std::uint16_t>{0, 0}));
}

TEST(ConfigLoaderTest, BackendTypeAndHost) {
    ExpectError("[frontend]\n", "1:1", "no [backend] section");
    ExpectError("[backend]\nhost = \"x\"\n", "1:1", "[backend] has no 'type'");
    ExpectError("[backend]\ntype = \"sma\"\n", "2:8", "expected one of \"envoy\", ");
    ExpectError("[backend]\ntype = \"envoy\"\n", "1:1", "[backend] has no 'host'");
    ExpectError("[backend]\ntype = \"envoy\"\nhost = \"\"\n", "3:8", "backend.host: is empty");
    ExpectError("[frontend]\ntype = \"sma\"\n[backend]\ntype = \"demo\"\n", "2:8",
                "expected one of \"shelly\"");
}

TEST(ConfigLoaderTest, EnvoyKeyCombinations) {
    ExpectError("[backend]\ntype = \"envoy\"\nhost = \"h\"\ntoken = \"a\"\ntoken_file = \"/f\"\n",
                "5:14", "set token or token_file, not both");
    ExpectError("[backend]\ntype = \"envoy\"\nhost = \"h\"\nusername = \"me@example.com\"\n",
                "4:12", "needs both username and password");
    ExpectError("[backend]\ntype = \"envoy\"\nhost = \"https://192.168.1.50/\"\n", "3:8",
                "without http:// or a path");
    ExpectError("[backend]\ntype = \"envoy\"\nhost = \"h\"\nenlighten_url = \"enlighten.com\"\n",
                "4:17", "a URL starting with https://");
    Config config = ParseConfig("[backend]\ntype = \"envoy\"\nhost = \"192.168.1.50:8443\"\n"
                                "entrez_url = \"http://127.0.0.1:9/\"\n",
                                "e.toml");
    const auto& envoy = static_cast<const EnvoyOptions&>(*config.backend.options);
    EXPECT_EQ(envoy.host, "192.168.1.50:8443");
    EXPECT_EQ(envoy.entrez_url, "http://127.0.0.1:9");
    EXPECT_EQ(envoy.enlighten_url, "https://enlighten.enphaseenergy.com");
}

TEST(ConfigLoaderTest, EveryErrorIsReportedAtOnce) {
    auto errors = Errors("[frontend]\nphases = 5\nbogus = 1\n[backend]\ntype = \"envoy\"\n");
    ASSERT_EQ(errors.size(), 3u);
    EXPECT_EQ(errors[0].line, 2u);
    EXPECT_EQ(errors[1].line, 3u);
    EXPECT_EQ(errors[2].line, 4u);
}

TEST(ConfigLoaderTest, SecretsNeverAppearInMessages) {
    auto errors = Errors("[backend]\ntype = \"envoy\"\nhost = \"h\"\ntoken = \"eyJsecret\"\n"
                         "token_file = \"/f\"\npassword = \"hunter2\"\n");
    ASSERT_FALSE(errors.empty());
    for (const auto& error : errors) {
        EXPECT_EQ(error.Format().find("eyJsecret"), std::string::npos);
        EXPECT_EQ(error.Format().find("hunter2"), std::string::npos);
    }
}

TEST(ConfigLoaderTest, PhaseWithoutSinglePhaseSiteIsAWarning) {
    Config config =
        ParseConfig("[frontend]\nphase = \"c\"\n[backend]\ntype = \"demo\"\n", "w.toml");
    ASSERT_EQ(config.warnings.size(), 1u);
    EXPECT_EQ(config.warnings[0].Format(),
              "w.toml:2:9: warning: frontend.phase: has no effect unless phases = 1");
}

TEST(ConfigLoaderTest, FilesAreReadFromDisk) {
    test::TempDir dir;
    auto path = dir.Write("meteremu.toml", kValid);
    EXPECT_EQ(LoadConfigFile(path.string()).source, path.string());
    try {
        LoadConfigFile((dir.Path() / "missing.toml").string());
        FAIL() << "a missing file was accepted";
    } catch (const ConfigInvalid& invalid) {
        EXPECT_NE(invalid.Diagnostics()[0].Format().find("missing.toml: cannot read: No such file"),
                  std::string::npos);
    }
}

} // namespace
} // namespace meteremu
