// SPDX-License-Identifier: MIT
// The built daemon answering Shelly JSON-RPC over UDP and as whole frames over POST /rpc, on
// loopback with ephemeral ports. (The broadcast discovery of a Marstek battery, on the real
// ports 1010 and 2220, runs in a network namespace: tests/system/udp_netns_test.cpp.)
#include "support/daemon_process.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"
#include "support/udp_client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <regex>
#include <thread>
#include <vector>

namespace meteremu::test {
namespace {

using namespace std::chrono_literals;

/// The demo household, HTTP and two UDP ports on ephemeral loopback ports.
/// The battery of these tests polls faster than the demo refreshes: every poll is answered.
std::string Config() {
    return WithFrontendKeys(DemoTestConfig("02:00:5E:10:20:31"), kAnswerEveryPoll);
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

TEST(DaemonUdpTest, TheJournalNamesEachClientTheFirstTimeItPolls) {
    TempDir dir;
    RunningDaemon daemon = StartDaemon(dir.Write("meteremu.toml", Config()).string());
    auto ports = daemon.UdpPorts(2);
    std::this_thread::sleep_for(std::chrono::milliseconds(300)); // the first reading
    UdpClient battery("127.0.0.7");
    for (int poll = 0; poll < 3; ++poll) {
        ASSERT_TRUE(battery.Send("127.0.0.1", ports[1], kMarstekPoll));
        ASSERT_TRUE(battery.Receive(std::chrono::seconds(2))) << daemon.process->Stderr();
    }
    std::string line = "client 127.0.0.7 polls for the first time, over UDP port " +
                       std::to_string(ports[1]) + ": EM.GetStatus, answered";
    ASSERT_TRUE(daemon.process->WaitForOutput(line)) << daemon.process->Stderr();
    // Once: further polls add no line.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    std::string log = daemon.process->Stderr();
    EXPECT_EQ(log.find(line), log.rfind(line)) << log;
}

/// Shelly.GetComponents as a forger sends it: bare (a short error comes back, as the reply
/// may be at most 20 times the request), or padded with spaces to earn the whole 3 KB reply.
std::string ComponentsRequest(bool padded) {
    std::string request = R"({"id":1,"method":"Shelly.GetComponents"})";
    return padded ? request + std::string(400 - request.size(), ' ') : request;
}

/// `count` forged senders, on 127.0.1.1 and up: none is the host itself.
std::vector<std::unique_ptr<UdpClient>> ForgedSenders(int count) {
    std::vector<std::unique_ptr<UdpClient>> senders;
    for (int i = 0; i < count; ++i)
        senders.push_back(std::make_unique<UdpClient>("127.0." + std::to_string(1 + i / 250) + "." +
                                                      std::to_string(1 + i % 250)));
    return senders;
}

/// A battery on the LAN polling every 100 ms for as long as `running`; counts its answers.
void PollLikeABattery(std::uint16_t port, const std::atomic<bool>& running, int& polls,
                      int& answered) {
    UdpClient battery("127.0.0.200");
    auto next = std::chrono::steady_clock::now();
    while (running && polls < 50) {
        ++polls;
        if (battery.Send("127.0.0.1", port, kMarstekPoll) && battery.Receive(1s)) ++answered;
        next += 100ms;
        std::this_thread::sleep_until(next);
    }
}

// 300 forged addresses, each within its own budget, asking Shelly.GetComponents ten times in
// one second: 10 MB of replies before the budget of all senders together. Now at most a
// burst and the rate go out (256 KiB/s by default), and a battery's polls on the other port
// are answered throughout.
TEST(DaemonUdpTest, AFloodFromManyAddressesStaysWithinTheReplyBudget) {
    TempDir dir;
    RunningDaemon daemon = StartDaemon(dir.Write("meteremu.toml", Config()).string());
    auto ports = daemon.UdpPorts(2);
    std::this_thread::sleep_for(300ms); // the first reading
    auto senders = ForgedSenders(300);
    std::atomic<bool> running{true};
    int polls = 0, answered = 0;
    auto start = std::chrono::steady_clock::now();
    std::thread battery([&] { PollLikeABattery(ports[1], running, polls, answered); });
    // Evenly spread over one second, two in three padded for the whole reply.
    constexpr int kRounds = 10;
    const long total = kRounds * static_cast<long>(senders.size());
    for (long sent = 0; sent < total; ++sent) {
        std::this_thread::sleep_until(start + std::chrono::microseconds(1'000'000 * sent / total));
        auto& sender = *senders[static_cast<size_t>(sent) % senders.size()];
        sender.Send("127.0.0.1", ports[0], ComponentsRequest(sent % 3 != 0));
    }
    std::this_thread::sleep_for(200ms);
    running = false;
    battery.join();
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::size_t bytes = 0;
    for (auto& sender : senders)
        while (auto reply = sender->Receive(0ms))
            bytes += reply->text.size();
    constexpr double kBudget = 256 * 1024;
    std::printf("%zu reply bytes to forged senders in %.2f s; battery %d of %d answered\n", bytes,
                seconds, answered, polls);
    EXPECT_LE(double(bytes), kBudget + kBudget * seconds);
    EXPECT_GE(double(bytes), kBudget / 4) << "the flood is served within the budget";
    EXPECT_GE(polls, 10);
    EXPECT_GE(answered, polls - 1) << daemon.process->Stderr();
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
