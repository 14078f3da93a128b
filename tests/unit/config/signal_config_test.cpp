// SPDX-License-Identifier: MIT
// The [frontend] keys of the sample gate (a policy per transport, max_hold) and of the signal
// shaping (offset_a…c, scale_a…c, slew_limit): defaults, values, errors with their position.
#include "config/config_loader.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

using namespace std::chrono_literals;

std::vector<ConfigDiagnostic> Errors(std::string_view text) {
    try {
        ParseConfig(text, "bad.toml");
    } catch (const ConfigInvalid& invalid) {
        return invalid.Diagnostics();
    }
    ADD_FAILURE() << "configuration was accepted:\n" << text;
    return {};
}

void ExpectError(std::string_view text, const std::string& expected) {
    auto errors = Errors(text);
    ASSERT_EQ(errors.size(), 1u) << (errors.empty() ? "" : errors[0].Format());
    EXPECT_EQ(errors[0].Format(), expected);
}

TEST(SignalConfigTest, DefaultsAreOneConstantEachAndNoShaping) {
    Config config = ParseConfig("[backend]\ntype = \"demo\"\n", "default.toml");
    const FrontendSettings& frontend = config.frontends.front();
    EXPECT_EQ(frontend.gating.udp.repeat, kDefaultUdpRepeatPolicy);
    EXPECT_EQ(frontend.gating.http.repeat, kDefaultHttpRepeatPolicy);
    EXPECT_EQ(frontend.gating.websocket.repeat, kDefaultWebSocketRepeatPolicy);
    EXPECT_EQ(frontend.gating.udp.max_hold, Seconds(kDefaultMaxHold));
    EXPECT_FALSE(frontend.shaping.Active());
}

TEST(SignalConfigTest, PoliciesPerTransportAndShapingPerPhase) {
    Config config = ParseConfig(R"([[frontend]]
udp_repeat_policy = "hold"
http_repeat_policy = "drop"
websocket_repeat_policy = "repeat"
max_hold = 1.5
offset_a = 20
scale_b = -1.0
scale_c = 0.5
slew_limit = 400

[[frontend]]
http_port = 8080
udp_ports = []
websocket_repeat_policy = "hold"

[backend]
type = "demo"
)",
                                "gate.toml");
    const FrontendSettings& first = config.frontends[0];
    EXPECT_EQ(first.gating.udp.repeat, RepeatPolicy::Hold);
    EXPECT_EQ(first.gating.http.repeat, RepeatPolicy::Drop);
    EXPECT_EQ(first.gating.websocket.repeat, RepeatPolicy::Repeat);
    EXPECT_EQ(first.gating.http.max_hold, 1.5s);
    EXPECT_EQ(first.shaping.offset, (std::array<double, 3>{20, 0, 0}));
    EXPECT_EQ(first.shaping.scale, (std::array<double, 3>{1, -1, 0.5}));
    EXPECT_EQ(first.shaping.slew_limit, 400);
    const FrontendSettings& second = config.frontends[1];
    EXPECT_EQ(second.gating.websocket.repeat, RepeatPolicy::Hold);
    EXPECT_EQ(second.gating.udp.repeat, kDefaultUdpRepeatPolicy);
    EXPECT_FALSE(second.shaping.Active());
}

TEST(SignalConfigTest, ErrorsNameThePositionAndWhatWasExpected) {
    ExpectError("[frontend]\nudp_repeat_policy = \"wait\"\n[backend]\ntype = \"demo\"\n",
                "bad.toml:2:21: frontend.udp_repeat_policy: expected \"repeat\", \"hold\" or "
                "\"drop\"");
    ExpectError("[frontend]\nmax_hold = 0\n[backend]\ntype = \"demo\"\n",
                "bad.toml:2:12: frontend.max_hold: expected a number of seconds greater than 0 "
                "and at most 60, got 0");
    ExpectError("[frontend]\nslew_limit = -5\n[backend]\ntype = \"demo\"\n",
                "bad.toml:2:14: frontend.slew_limit: expected a number from 0 to 100000, got -5");
    ExpectError("[frontend]\nscale_a = \"x\"\n[backend]\ntype = \"demo\"\n",
                "bad.toml:2:11: frontend.scale_a: expected a number, got a string");
}

} // namespace
} // namespace meteremu
