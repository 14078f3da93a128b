// SPDX-License-Identifier: MIT
// The built daemon answering Shelly JSON-RPC over UDP and as whole frames over POST /rpc, on
// loopback with ephemeral ports. (The broadcast discovery of a Marstek battery, on the real
// ports 1010 and 2220, runs in a network namespace: tests/system/udp_netns_test.cpp.)
#include "support/daemon_process.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"
#include "support/udp_client.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <thread>

namespace meteremu::test {
namespace {

/// The demo household, HTTP and two UDP ports on ephemeral loopback ports.
std::string Config() {
    return DemoTestConfig("02:00:5E:10:20:31");
}

constexpr const char* kMarstekPoll = R"({"id":1,"method":"EM.GetStatus","params":{"id":0}})";

/// Every number in `json` has a decimal point, except the ids and integer-valued keys.
bool EveryPowerHasDecimals(const std::string& json) {
    std::regex bare(R"("(?!id")[a-z_]+":-?[0-9]+[,}])");
    return !std::regex_search(json, bare);
}

TEST(DaemonUdpTest, AnswersOnEveryUdpPort) {
    TempDir dir;
    RunningDaemon daemon = StartDaemon(dir.Write("meteremu.toml", Config()).string());
    auto ports = daemon.UdpPorts(2);
    std::this_thread::sleep_for(std::chrono::milliseconds(300)); // the first reading
    ASSERT_FALSE(EveryPowerHasDecimals(R"({"id":0,"a_act_power":100,"b_pf":1.00})"));
    UdpClient battery("127.0.0.1");
    for (std::uint16_t port : ports) {
        ASSERT_TRUE(battery.Send("127.0.0.1", port, kMarstekPoll));
        auto reply = battery.Receive(std::chrono::seconds(2));
        ASSERT_TRUE(reply) << "no reply on UDP " << port << "\n" << daemon.process->Stderr();
        EXPECT_EQ(reply->from, "127.0.0.1:" + std::to_string(port));
        EXPECT_TRUE(reply->text.starts_with(
            R"({"id":1,"src":"shellypro3em-02005e102031","result":{"id":0,"a_current":)"))
            << reply->text;
        EXPECT_NE(reply->text.find("\"a_act_power\":"), std::string::npos);
        EXPECT_TRUE(EveryPowerHasDecimals(reply->text)) << reply->text;
        EXPECT_GE(reply->text.size(), 250u);
    }
}

TEST(DaemonUdpTest, PostRpcTakesWholeFrames) {
    TempDir dir;
    RunningDaemon daemon = StartDaemon(dir.Write("meteremu.toml", Config()).string());
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto reply =
        HttpPost(daemon.Url("/rpc"),
                 R"({"id":"q1","src":"curl","method":"EMData.GetStatus","params":{"id":0}})");
    ASSERT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(reply.Header("Content-Type"), "application/json");
    EXPECT_TRUE(reply.body.starts_with(
        R"({"id":"q1","src":"shellypro3em-02005e102031","dst":"curl","result":{"id":0,)"))
        << reply.body;
    auto error = HttpPost(daemon.Url("/rpc"), R"({"id":2,"method":"Nope.Get"})");
    EXPECT_EQ(error.status, 200);
    EXPECT_EQ(error.body, R"({"id":2,"src":"shellypro3em-02005e102031",)"
                          R"("error":{"code":404,"message":"No handler for Nope.Get"}})");
    auto notification = HttpPost(daemon.Url("/rpc"), R"({"method":"Shelly.GetStatus"})");
    EXPECT_EQ(notification.status, 200);
    EXPECT_EQ(notification.body, "");
    EXPECT_EQ(HttpPost(daemon.Url("/rpc"), "[]").status, 400);
}

} // namespace
} // namespace meteremu::test
