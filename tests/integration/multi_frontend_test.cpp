// SPDX-License-Identifier: MIT
// Two emulated devices in one daemon: the triphase Pro 3EM and a monophase one with its own
// MAC, HTTP port and UDP port (all ephemeral, on loopback). Each answers with its own
// identity on every transport, and stays itself while both are reloaded under load.
#include "support/daemon_process.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"
#include "support/udp_client.hpp"
#include "support/websocket_client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace meteremu::test {
namespace {

using namespace std::chrono_literals;

struct Device {
    const char* name;    ///< the frontend's name in the log ("shelly", "shelly2")
    const char* src;     ///< its id, the "src" of every reply
    const char* profile; ///< what Shelly.GetDeviceInfo says
    const char* poll;    ///< the UDP request a battery sends it
    std::uint16_t http_port = 0;
    std::uint16_t udp_port = 0;
};

/// Two [[frontend]] tables; `on_stale` differs between the configurations a reload swaps.
std::string TwoFrontends(const char* on_stale) {
    std::string common = "listen_address = \"127.0.0.1\"\nhttp_port = 0\nudp_ports = [0]\n"
                         "mdns = false\non_stale = \"" +
                         std::string(on_stale) + "\"\n" + kAnswerEveryPoll;
    return "[[frontend]]\ntype = \"shelly\"\nmac = \"02:00:5E:10:20:41\"\n" + common +
           "\n[[frontend]]\ntype = \"shelly\"\nmac = \"02:00:5E:10:20:42\"\n"
           "profile = \"monophase\"\n" +
           common + "\n[backend]\ntype = \"demo\"\npoll_interval = 0.2\nseed = 7\n";
}

class MultiFrontendTest : public testing::Test {
protected:
    void SetUp() override {
        config_ = dir_.Write("meteremu.toml", TwoFrontends("last"));
        daemon_ = StartDaemon(config_.string());
        for (Device& device : devices_) {
            std::string name = device.name;
            auto http = daemon_.process->WaitForOutput(name + R"(: serving HTTP on [^\n]*:(\d+))");
            auto udp = daemon_.process->WaitForOutput(name + R"(: serving UDP on [^\n]*:(\d+))");
            ASSERT_TRUE(http && udp) << daemon_.process->Stderr();
            device.http_port = static_cast<std::uint16_t>(std::stoi((*http)[1]));
            device.udp_port = static_cast<std::uint16_t>(std::stoi((*udp)[1]));
        }
        ASSERT_NE(devices_[0].http_port, devices_[1].http_port);
        ASSERT_NE(devices_[0].udp_port, devices_[1].udp_port);
        std::this_thread::sleep_for(300ms); // the first reading
    }

    static std::string Url(const Device& device, const std::string& path) {
        return "http://127.0.0.1:" + std::to_string(device.http_port) + path;
    }

    TempDir dir_;
    std::filesystem::path config_;
    RunningDaemon daemon_;
    Device devices_[2] = {
        {"shelly", "shellypro3em-02005e102041", "triphase",
         R"({"id":1,"method":"EM.GetStatus","params":{"id":0}})"},
        {"shelly2", "shellypro3em-02005e102042", "monophase",
         R"({"id":1,"method":"EM1.GetStatus","params":{"id":0}})"},
    };
};

/// The value of "src" in a reply frame, or "" when it has none.
std::string SrcOf(const std::string& frame) {
    std::smatch match;
    static const std::regex src(R"re("src":"([^"]*)")re");
    return std::regex_search(frame, match, src) ? match[1].str() : "";
}

TEST_F(MultiFrontendTest, EachDeviceAnswersAsItselfOnEveryTransport) {
    for (const Device& device : devices_) {
        SCOPED_TRACE(device.name);
        std::string id = std::string("\"id\":\"") + device.src + "\"";
        std::string profile = std::string("\"profile\":\"") + device.profile + "\"";

        auto get = HttpGet(Url(device, "/rpc/Shelly.GetDeviceInfo"));
        EXPECT_EQ(get.status, 200) << get.error;
        EXPECT_NE(get.body.find(id), std::string::npos) << get.body;
        EXPECT_NE(get.body.find(profile), std::string::npos) << get.body;
        EXPECT_EQ(get.Header("Server"), "ShellyHTTP/1.0.0");

        auto post = HttpPost(Url(device, "/rpc"), R"({"id":7,"method":"Shelly.GetDeviceInfo"})");
        EXPECT_EQ(post.status, 200) << post.error;
        EXPECT_EQ(SrcOf(post.body), device.src) << post.body;
        EXPECT_NE(post.body.find(profile), std::string::npos) << post.body;

        WebSocketClient websocket(device.http_port);
        websocket.SendText(R"({"id":3,"src":"ha","method":"Shelly.GetDeviceInfo"})");
        auto message = websocket.ReadText(3s);
        ASSERT_TRUE(message);
        EXPECT_EQ(SrcOf(*message), device.src) << *message;
        EXPECT_NE(message->find(profile), std::string::npos) << *message;

        UdpClient battery("127.0.0.1");
        ASSERT_TRUE(battery.Send("127.0.0.1", device.udp_port, device.poll));
        auto reply = battery.Receive(2s);
        ASSERT_TRUE(reply) << "no UDP reply\n" << daemon_.process->Stderr();
        EXPECT_EQ(SrcOf(reply->text), device.src) << reply->text;
        EXPECT_NE(reply->text.find("\"result\":{\"id\":0,"), std::string::npos) << reply->text;
    }
    // Each device's own methods: the monophase one has no em:0, the triphase one no em1:0.
    EXPECT_NE(HttpGet(Url(devices_[0], "/rpc/EM1.GetStatus?id=0")).status, 200);
    EXPECT_NE(HttpGet(Url(devices_[1], "/rpc/EM.GetStatus?id=0")).status, 200);
}

/// Replies seen on one device's ports while the daemon reloads.
struct Tally {
    std::atomic<int> answered{0};
    std::atomic<int> mixed{0};
    std::string first_mixed; ///< written once, by the thread that saw the first mix-up

    void Check(const std::string& frame, const Device& device) {
        answered.fetch_add(1);
        if (SrcOf(frame) == device.src) return;
        if (mixed.fetch_add(1) == 0) first_mixed = frame;
    }
};

/// Polls `device` over UDP as fast as it answers, for as long as `running` (bounded).
void PollUdp(const Device& device, const std::atomic<bool>& running, Tally& tally) {
    UdpClient battery("127.0.0.1");
    for (int i = 0; running && i < 20000; ++i) {
        if (!battery.Send("127.0.0.1", device.udp_port, device.poll)) continue;
        if (auto reply = battery.Receive(500ms)) tally.Check(reply->text, device);
    }
}

/// Asks `device` over one WebSocket for as long as `running` (bounded).
void PollWebSocket(const Device& device, const std::atomic<bool>& running, Tally& tally) {
    WebSocketClient websocket(device.http_port);
    for (int i = 0; running && i < 20000; ++i) {
        websocket.SendText(R"({"id":1,"method":"Shelly.GetDeviceInfo"})");
        if (auto message = websocket.ReadText(1s)) tally.Check(*message, device);
    }
}

TEST_F(MultiFrontendTest, BothReloadUnderLoadWithoutMixingDevices) {
    std::atomic<bool> running{true};
    Tally udp[2], websocket[2];
    std::vector<std::thread> load;
    for (int d = 0; d < 2; ++d) {
        load.emplace_back(PollUdp, std::cref(devices_[d]), std::cref(running), std::ref(udp[d]));
        load.emplace_back(PollWebSocket, std::cref(devices_[d]), std::cref(running),
                          std::ref(websocket[d]));
    }
    const char* modes[] = {"zero", "last"};
    for (int reload = 0; reload < 6; ++reload) {
        dir_.Write("meteremu.toml", TwoFrontends(modes[reload % 2]));
        ASSERT_EQ(kill(daemon_.process->Pid(), SIGHUP), 0);
        std::string pattern;
        for (int seen = 0; seen <= reload; ++seen)
            pattern += R"(reloaded: emulating Shelly Pro 3EM shellypro3em-02005e102041 [^\n]* and )"
                       R"(Shelly Pro 3EM shellypro3em-02005e102042 [\s\S]*?)";
        ASSERT_TRUE(daemon_.process->WaitForOutput(pattern)) << daemon_.process->Stderr();
        std::this_thread::sleep_for(150ms);
    }
    running = false;
    for (auto& thread : load)
        thread.join();
    for (int d = 0; d < 2; ++d) {
        SCOPED_TRACE(devices_[d].name);
        std::cout << "[ measure  ] " << devices_[d].name << " across 6 reloads: " << udp[d].answered
                  << " UDP and " << websocket[d].answered << " WebSocket replies\n";
        EXPECT_GT(udp[d].answered.load(), 50);
        EXPECT_GT(websocket[d].answered.load(), 50);
        EXPECT_EQ(udp[d].mixed.load(), 0) << udp[d].first_mixed;
        EXPECT_EQ(websocket[d].mixed.load(), 0) << websocket[d].first_mixed;
    }
    EXPECT_EQ(daemon_.process->Stderr().find("reload failed"), std::string::npos);
}

} // namespace
} // namespace meteremu::test
