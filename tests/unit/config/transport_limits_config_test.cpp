// SPDX-License-Identifier: MIT
// The [frontend] limit keys and the allow list, as the configuration file writes them.
#include "config/config_loader.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

using namespace std::chrono_literals;

Config Parse(const std::string& frontend_keys) {
    return ParseConfig("[frontend]\n" + frontend_keys + "\n[backend]\ntype = \"demo\"\n",
                       "limits.toml");
}

/// The one error of a [frontend] with `frontend_keys`, formatted.
std::string Error(const std::string& frontend_keys) {
    try {
        Parse(frontend_keys);
    } catch (const ConfigInvalid& invalid) {
        EXPECT_EQ(invalid.Diagnostics().size(), 1u) << invalid.what();
        return invalid.Diagnostics().front().Format();
    }
    ADD_FAILURE() << "accepted: " << frontend_keys;
    return "";
}

TEST(TransportLimitsConfigTest, DefaultsSuitAHome) {
    TransportLimits limits = Parse("").frontends[0].limits;
    EXPECT_TRUE(limits.allow.Empty());
    EXPECT_EQ(limits.http.max_connections, 256u);
    EXPECT_EQ(limits.http.max_connections_per_address, 16u);
    EXPECT_EQ(limits.http.idle_timeout, 30s);
    EXPECT_EQ(limits.http.max_header_bytes, 8192u);
    EXPECT_EQ(limits.http.max_body_bytes, 16384u);
    EXPECT_EQ(limits.websocket.max_clients, 32u);
    EXPECT_EQ(limits.websocket.max_message_bytes, 16384u);
    EXPECT_EQ(limits.websocket.idle_timeout, 300s);
    EXPECT_EQ(limits.udp.max_request_bytes, 4096u);
    EXPECT_EQ(limits.udp.reply_rate, 10.0);
    EXPECT_EQ(limits.udp.reply_bytes_per_second, 262144u);
    // Upgraded connections have room in libmicrohttpd beyond the WebSocket clients.
    EXPECT_GT(limits.http.max_upgraded, limits.websocket.max_clients);
}

TEST(TransportLimitsConfigTest, EveryKeyIsRead) {
    TransportLimits limits = Parse(R"(allow = ["192.168.1.0/24", "fd00::/8", "10.0.0.7"]
max_connections = 1100
max_connections_per_address = 4
max_websocket_clients = 1000
idle_timeout = 2.5
max_header_bytes = 4096
max_body_bytes = 2048
max_websocket_message_bytes = 65536
max_udp_request_bytes = 512
udp_reply_rate = 0.5
udp_reply_bytes_per_second = 65536
)")
                                 .frontends[0]
                                 .limits;
    ASSERT_EQ(limits.allow.Networks().size(), 3u);
    EXPECT_EQ(limits.allow.Networks()[0].ToString(), "192.168.1.0/24");
    EXPECT_EQ(limits.allow.Networks()[1].ToString(), "fd00::/8");
    EXPECT_EQ(limits.allow.Networks()[2].ToString(), "10.0.0.7/32");
    EXPECT_EQ(limits.http.max_connections, 1100u);
    EXPECT_EQ(limits.http.max_connections_per_address, 4u);
    EXPECT_EQ(limits.websocket.max_clients, 1000u);
    EXPECT_GE(limits.http.max_upgraded, 1000u);
    EXPECT_EQ(limits.http.idle_timeout, 2500ms);
    EXPECT_EQ(limits.http.max_header_bytes, 4096u);
    EXPECT_EQ(limits.http.max_body_bytes, 2048u);
    EXPECT_EQ(limits.websocket.max_message_bytes, 65536u);
    EXPECT_EQ(limits.udp.max_request_bytes, 512u);
    EXPECT_EQ(limits.udp.reply_rate, 0.5);
    EXPECT_EQ(limits.udp.reply_bytes_per_second, 65536u);
    EXPECT_EQ(
        Parse("udp_reply_bytes_per_second = 0").frontends[0].limits.udp.reply_bytes_per_second, 0u);
    EXPECT_EQ(Parse("udp_reply_rate = 0").frontends[0].limits.udp.reply_rate, 0.0);
    EXPECT_EQ(Parse("max_websocket_clients = 0").frontends[0].limits.websocket.max_clients, 0u);
    EXPECT_EQ(Parse("websocket_idle_timeout = 0.25").frontends[0].limits.websocket.idle_timeout,
              250ms);
    EXPECT_EQ(Parse("websocket_idle_timeout = 0").frontends[0].limits.websocket.idle_timeout, 0ms);
}

TEST(TransportLimitsConfigTest, AllowEntriesAreCheckedWhereTheyStand) {
    EXPECT_EQ(Error(R"(allow = ["192.168.1.0/24", "192.168.2.5/24"])"),
              "limits.toml:2:28: frontend.allow: \"192.168.2.5/24\" has bits set after the "
              "prefix; the network is 192.168.2.0/24");
    EXPECT_EQ(Error(R"(allow = ["lan"])"),
              "limits.toml:2:10: frontend.allow: \"lan\" is not an IPv4 or IPv6 address or "
              "network");
    EXPECT_EQ(Error(R"(allow = "192.168.1.0/24")"),
              "limits.toml:2:9: frontend.allow: expected an array of strings, got a string");
    EXPECT_EQ(Error(R"(allow = [24])"),
              "limits.toml:2:10: frontend.allow: expected a string, got an integer");
}

TEST(TransportLimitsConfigTest, OutOfRangeValuesNameTheBounds) {
    EXPECT_EQ(Error("max_connections = 0"),
              "limits.toml:2:19: frontend.max_connections: expected an integer from 1 to 100000, "
              "got 0");
    EXPECT_EQ(Error("max_connections_per_address = -1"),
              "limits.toml:2:31: frontend.max_connections_per_address: expected an integer from "
              "1 to 100000, got -1");
    EXPECT_EQ(Error("max_header_bytes = 100"),
              "limits.toml:2:20: frontend.max_header_bytes: expected an integer from 1024 to "
              "1048576, got 100");
    EXPECT_EQ(Error("max_udp_request_bytes = 70000"),
              "limits.toml:2:25: frontend.max_udp_request_bytes: expected an integer from 64 to "
              "65507, got 70000");
    EXPECT_EQ(Error("idle_timeout = 0"),
              "limits.toml:2:16: frontend.idle_timeout: expected a number of seconds greater "
              "than 0 and at most 3600, got 0");
    EXPECT_EQ(Error("websocket_idle_timeout = 86401"),
              "limits.toml:2:26: frontend.websocket_idle_timeout: expected a number from 0 to "
              "86400, got 86401");
    EXPECT_EQ(Error("udp_reply_rate = -1"),
              "limits.toml:2:18: frontend.udp_reply_rate: expected a number from 0 to 100000, "
              "got -1");
    EXPECT_EQ(Error("udp_reply_bytes_per_second = -1"),
              "limits.toml:2:30: frontend.udp_reply_bytes_per_second: expected an integer from 0 "
              "to 1073741824, got -1");
    EXPECT_EQ(Error("max_websocket_clients = 1.5"),
              "limits.toml:2:25: frontend.max_websocket_clients: expected an integer, got a "
              "floating-point number");
}

} // namespace
} // namespace meteremu
