// SPDX-License-Identifier: MIT
// A Marstek-like battery finding and polling the built daemon over UDP, on the real ports
// 1010 and 2220, in a private network: the daemon runs in one network namespace (ip netns
// exec), the battery in another, joined by a veth pair. The battery broadcasts EM.GetStatus
// to the subnet, then polls the address that answered by unicast.
#include "support/daemon_process.hpp"
#include "support/netns.hpp"
#include "support/temp_dir.hpp"
#include "support/udp_client.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <thread>

namespace meteremu::test {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kConfig = R"(
[frontend]
mac = "02:00:5E:10:20:33"
http_port = 80
mdns = false
# Polls every 100 ms against a reading every 200 ms: answer each at once, as this test
# times the round trip across the veth.
udp_repeat_policy = "repeat"

[backend]
type = "demo"
poll_interval = 0.2
seed = 5
)";

/// Marstek's request: no src, about 50 bytes.
constexpr const char* kPoll = R"({"id":1,"method":"EM.GetStatus","params":{"id":0}})";

/// Every number but the ids carries a decimal point (a B2500 rejects 100 for 100.0).
void ExpectBatteryAccepts(const std::string& reply) {
    EXPECT_TRUE(reply.starts_with(R"({"id":1,"src":"shellypro3em-02005e102033","result":{)"))
        << reply;
    EXPECT_NE(reply.find("\"a_act_power\":"), std::string::npos) << reply;
    EXPECT_GE(reply.size(), 250u);
    std::regex integer(R"re("([a-z_]+)":(-?[0-9]+)[,}\]])re");
    for (auto it = std::sregex_iterator(reply.begin(), reply.end(), integer);
         it != std::sregex_iterator(); ++it)
        EXPECT_EQ((*it)[1], "id") << "integer " << (*it)[2] << " for " << (*it)[1];
    EXPECT_GE(std::count(reply.begin(), reply.end(), '.'), 20);
}

TEST(UdpNetnsTest, MarstekBroadcastThenUnicastPolls) {
    if (std::string reason = NetnsUnavailableReason(); !reason.empty()) GTEST_SKIP() << reason;
    std::unique_ptr<VethNetwork> network;
    try {
        network = std::make_unique<VethNetwork>("meteremu-shelly-udp-" + std::to_string(getpid()));
    } catch (const std::exception& error) {
        GTEST_SKIP() << "cannot build a network namespace here: " << error.what();
    }
    TempDir dir;
    std::string config = dir.Write("meteremu.toml", kConfig).string();
    ChildProcess daemon(
        network->ExecIn(network->NamespaceA(), {METEREMU_BINARY, "--config", config}));
    ASSERT_TRUE(daemon.WaitForOutput("serving UDP on \\[::\\]:2220")) << daemon.Stderr();
    std::this_thread::sleep_for(300ms); // the first reading

    // Bound to its own unicast address, the battery's socket cannot receive a broadcast:
    // every reply it gets was sent to it alone.
    std::unique_ptr<UdpClient> battery;
    network->InNamespaceB([&] { battery = std::make_unique<UdpClient>(network->AddressB()); });

    for (std::uint16_t port : {1010, 2220}) {
        ASSERT_TRUE(battery->Send(network->Broadcast(), port, kPoll)) << port;
        auto reply = battery->Receive(2s);
        ASSERT_TRUE(reply) << "no answer to the broadcast on " << port << "\n" << daemon.Stderr();
        EXPECT_EQ(reply->from, network->AddressA() + ":" + std::to_string(port));
        ExpectBatteryAccepts(reply->text);
    }

    std::vector<double> round_trips_us;
    std::string previous;
    int changed = 0;
    for (int i = 0; i < 20; ++i) {
        std::uint16_t port = i % 2 ? 2220 : 1010;
        auto sent = std::chrono::steady_clock::now();
        ASSERT_TRUE(battery->Send(network->AddressA(), port, kPoll));
        auto reply = battery->Receive(2s);
        ASSERT_TRUE(reply) << "no answer to unicast poll " << i << " on " << port;
        round_trips_us.push_back(
            std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - sent)
                .count());
        EXPECT_EQ(reply->from, network->AddressA() + ":" + std::to_string(port));
        ExpectBatteryAccepts(reply->text);
        changed += !previous.empty() && reply->text != previous;
        previous = reply->text;
        std::this_thread::sleep_for(100ms);
    }
    EXPECT_GE(changed, 5) << "the values should follow the readings";
    std::sort(round_trips_us.begin(), round_trips_us.end());
    std::printf("UDP poll round trip across the veth: median %.0f us, max %.0f us; reply %zu "
                "bytes\n",
                round_trips_us[10], round_trips_us.back(), previous.size());
    EXPECT_EQ(daemon.Stop(SIGTERM), 0) << daemon.Stderr();
}

} // namespace
} // namespace meteremu::test
