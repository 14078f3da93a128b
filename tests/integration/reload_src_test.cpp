// SPDX-License-Identifier: MIT
// A reload that changes the device (its MAC, hence "src" and every identity in the results)
// while batteries poll over UDP and Home Assistant over the WebSocket: each reply comes whole
// from one device, its frame's "src" the same device as the "mac" inside its result.
#include "support/daemon_process.hpp"
#include "support/temp_dir.hpp"
#include "support/udp_client.hpp"
#include "support/websocket_client.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <csignal>
#include <fstream>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

namespace meteremu::test {
namespace {

using namespace std::chrono_literals;

/// Requests whose results carry the device's MAC: one kept and served again (reusable), one
/// rendered every time (its "sys" carries the clock). Padded, as UDP replies may be at most
/// 20 times their request.
const std::string kRequests[] = {
    std::string(R"({"id":1,"src":"reload-test","method":"Shelly.GetDeviceInfo"})") +
        std::string(200, ' '),
    std::string(R"({"id":2,"src":"reload-test","method":"Shelly.GetStatus"})") +
        std::string(200, ' '),
};

/// What the clients saw: replies checked, and those whose src and result disagree.
struct Tally {
    std::mutex mutex;
    int replies = 0;
    std::vector<std::string> mixed;
    std::set<std::string> devices;

    void Check(const std::string& reply) {
        static const std::regex src(R"re(^\{"id":\d+,"src":"shellypro3em-([0-9a-f]{12})")re");
        static const std::regex mac(R"re("mac":"([0-9A-F]{12})")re");
        std::smatch from, inside;
        bool framed = std::regex_search(reply, from, src);
        bool identified = std::regex_search(reply, inside, mac);
        std::string mac_lower = identified ? inside[1].str() : "";
        std::transform(mac_lower.begin(), mac_lower.end(), mac_lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        std::lock_guard lock(mutex);
        ++replies;
        if (!framed || !identified || from[1].str() != mac_lower)
            mixed.push_back(reply.substr(0, 300));
        else
            devices.insert(mac_lower);
    }
};

std::string MacOf(int device) {
    char mac[32];
    std::snprintf(mac, sizeof mac, "02:00:5E:30:40:%02X", device);
    return mac;
}

std::string IdOf(int device) {
    char id[40];
    std::snprintf(id, sizeof id, "shellypro3em-02005e3040%02x", device);
    return id;
}

void PollUdp(std::uint16_t port, const std::atomic<bool>& running, Tally& tally) {
    UdpClient battery("127.0.0.1");
    for (int i = 0; running && i < 200000; ++i) {
        if (!battery.Send("127.0.0.1", port, kRequests[i % 2])) continue;
        if (auto reply = battery.Receive(1s)) tally.Check(reply->text);
    }
}

/// The reply to the last request, skipping the NotifyStatus pushes (no id, no identity).
std::optional<std::string> ReadReply(WebSocketClient& client) {
    for (int frames = 0; frames < 100; ++frames) {
        auto text = client.ReadText(2s);
        if (!text || text->starts_with(R"({"id":)")) return text;
    }
    return std::nullopt;
}

void PollWebSocket(std::uint16_t http_port, const std::atomic<bool>& running, Tally& tally) {
    WebSocketClient client(http_port);
    for (int i = 0; running && i < 200000; ++i) {
        client.SendText(kRequests[i % 2]);
        auto reply = ReadReply(client);
        if (!reply) return;
        tally.Check(*reply);
    }
}

TEST(ReloadSrcTest, EveryReplyUnderReloadsComesFromOneDevice) {
    TempDir dir;
    std::string config =
        dir.Write("meteremu.toml", WithFrontendKeys(DemoTestConfig(MacOf(0)), kAnswerEveryPoll))
            .string();
    RunningDaemon daemon = StartDaemon(config);
    auto ports = daemon.UdpPorts(2);
    std::atomic<bool> running{true};
    Tally tally;
    std::vector<std::jthread> clients;
    for (std::uint16_t port : ports)
        clients.emplace_back([&, port] { PollUdp(port, running, tally); });
    for (int i = 0; i < 2; ++i)
        clients.emplace_back([&] { PollWebSocket(daemon.http_port, running, tally); });
    constexpr int kReloads = 40;
    for (int device = 1; device <= kReloads; ++device) {
        std::this_thread::sleep_for(30ms);
        std::ofstream(config) << WithFrontendKeys(DemoTestConfig(MacOf(device)), kAnswerEveryPoll);
        ASSERT_EQ(kill(daemon.process->Pid(), SIGHUP), 0);
        ASSERT_TRUE(
            daemon.process->WaitForOutput("reloaded: emulating Shelly Pro 3EM " + IdOf(device)))
            << daemon.process->Stderr();
    }
    std::this_thread::sleep_for(30ms);
    running = false;
    clients.clear();
    std::lock_guard lock(tally.mutex);
    EXPECT_GE(tally.replies, 1000);
    EXPECT_GE(tally.devices.size(), kReloads / 2u) << "the reloads changed the device";
    EXPECT_TRUE(tally.mixed.empty())
        << tally.mixed.size() << " of " << tally.replies << " replies mix two devices, e.g.\n"
        << tally.mixed.front();
    std::printf("%d replies from %zu devices over %d reloads, %zu mixed\n", tally.replies,
                tally.devices.size(), kReloads, tally.mixed.size());
}

} // namespace
} // namespace meteremu::test
