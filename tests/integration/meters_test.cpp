// SPDX-License-Identifier: MIT
// Every meter in one daemon: the Pro 3EM, the Pro EM-50, the EM Gen3, the 3EM Gen1, the
// EcoTracker and the HomeWizard P1, each on its own ephemeral loopback ports, fed one reading
// at a time (meteremu-test's feed backend). Each answers a client built from its captures
// over every transport it has, with the values the Pro 3EM serves for the same reading.
#include "support/daemon_process.hpp"
#include "support/feed_backend.hpp"
#include "support/http_client.hpp"
#include "support/tcp_client.hpp"
#include "support/temp_dir.hpp"
#include "support/udp_client.hpp"
#include "support/websocket_client.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <thread>

namespace meteremu::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kCommon = "listen_address = \"127.0.0.1\"\nhttp_port = 0\nmdns = false\n";

std::string Config(const std::filesystem::path& feed) {
    std::string answer = kAnswerEveryPoll;
    auto frontend = [&](const std::string& keys, bool udp) {
        return "[[frontend]]\n" + keys + kCommon + (udp ? "udp_ports = [0]\n" : "") + answer + "\n";
    };
    return frontend("type = \"shelly\"\nmac = \"02:00:5E:10:20:51\"\n", true) +
           frontend("type = \"shelly\"\nmodel = \"proem50\"\nmac = \"02:00:5E:10:20:52\"\n", true) +
           frontend("type = \"shelly\"\nmodel = \"emg3\"\nmac = \"02:00:5E:10:20:53\"\n", true) +
           frontend("type = \"shelly_gen1\"\nmac = \"02:00:5E:10:20:54\"\n", false) +
           frontend("type = \"ecotracker\"\nmac = \"02:00:5E:10:20:55\"\n", false) +
           frontend("type = \"homewizard\"\nmac = \"02:00:5E:10:20:56\"\n", false) +
           "[backend]\ntype = \"feed\"\nfeed_file = \"" + feed.string() +
           "\"\npoll_interval = 0.05\nstale_after = 5\n";
}

/// The number after `"key":` in `json`, as written; "" when absent.
std::string NumberAt(const std::string& json, const std::string& key) {
    std::smatch match;
    std::regex number("\"" + key + "\":(-?[0-9.]+)");
    return std::regex_search(json, match, number) ? match[1].str() : "";
}

class MetersTest : public testing::Test {
protected:
    void SetUp() override {
        feed_ = dir_.Path() / "feed";
        Feed(1, 523.4);
        auto config = dir_.Write("meteremu.toml", Config(feed_));
        process_ = std::make_unique<ChildProcess>(
            std::vector<std::string>{METEREMU_TEST_DAEMON_BINARY, "--config", config.string()});
        for (const char* name :
             {"shelly", "shelly2", "shelly3", "shelly_gen1", "ecotracker", "homewizard"}) {
            auto http =
                process_->WaitForOutput(std::string(name) + R"(: serving HTTP on [^\n]*:(\d+))");
            ASSERT_TRUE(http) << name << "\n" << process_->Stderr();
            http_[name] = static_cast<std::uint16_t>(std::stoi((*http)[1]));
        }
        for (const char* name : {"shelly", "shelly2", "shelly3"}) {
            auto udp =
                process_->WaitForOutput(std::string(name) + R"(: serving UDP on [^\n]*:(\d+))");
            ASSERT_TRUE(udp) << name;
            udp_[name] = static_cast<std::uint16_t>(std::stoi((*udp)[1]));
        }
        WaitServed(523.4);
    }

    /// Hands the daemon a new sample and waits until the Pro 3EM serves it.
    void Feed(int sequence, double watts) {
        WriteFeedSample(feed_, static_cast<std::uint64_t>(sequence), watts);
        if (process_) WaitServed(watts);
    }

    void WaitServed(double watts) {
        std::string expected = Fixed1(watts);
        for (int i = 0; i < 100; ++i) {
            auto status = HttpGet(Url("shelly", "/rpc/EM.GetStatus?id=0"));
            if (NumberAt(status.body, "a_act_power") == expected) return;
            std::this_thread::sleep_for(20ms);
        }
        FAIL() << "the Pro 3EM never served " << watts << " W";
    }

    static std::string Fixed1(double watts) {
        char text[32];
        std::snprintf(text, sizeof text, "%.1f", watts);
        return text;
    }

    std::string Url(const std::string& name, const std::string& path) {
        return "http://127.0.0.1:" + std::to_string(http_[name]) + path;
    }

    std::string Udp(const std::string& name, const std::string& request) {
        UdpClient battery("127.0.0.1");
        EXPECT_TRUE(battery.Send("127.0.0.1", udp_[name], request));
        auto reply = battery.Receive(2s);
        return reply ? reply->text : "";
    }

    /// What every meter serves now, checked against the Pro 3EM's value of the same reading.
    void ExpectEveryMeterServes(double watts) {
        std::string pro3em = Udp("shelly", R"({"id":1,"method":"EM.GetStatus","params":{"id":0}})");
        std::string tenth = NumberAt(pro3em, "total_act_power");
        ASSERT_FALSE(tenth.empty()) << pro3em;
        ASSERT_NEAR(std::stod(tenth), watts, 0.05);
        std::string one_decimal = Fixed1(std::stod(tenth));

        // The EM1 meters, as a Marstek set to meter type 5/6 asks them (UDP), and over HTTP
        // and the WebSocket: src carries the model, channel 0 the net total.
        const char* em1 = R"({"id":1,"method":"EM1.GetStatus","params":{"id":0}})";
        for (auto [name, src] : {std::pair{"shelly2", "\"src\":\"shellyproem50-02005e102052\""},
                                 std::pair{"shelly3", "\"src\":\"shellyemg3-02005e102053\""}}) {
            SCOPED_TRACE(name);
            std::string reply = Udp(name, em1);
            EXPECT_NE(reply.find(src), std::string::npos) << reply;
            EXPECT_EQ(NumberAt(reply, "act_power"), one_decimal) << reply;
            auto http = HttpGet(Url(name, "/rpc/EM1.GetStatus?id=0"));
            EXPECT_EQ(NumberAt(http.body, "act_power"), one_decimal) << http.body;
            WebSocketClient websocket(http_[name]);
            websocket.SendText(R"({"id":2,"src":"t","method":"EM1.GetStatus","params":{"id":0}})");
            auto message = websocket.ReadText(3s);
            ASSERT_TRUE(message);
            EXPECT_NE(message->find(src), std::string::npos) << *message;
            EXPECT_EQ(NumberAt(*message, "act_power"), one_decimal) << *message;
        }
        std::string gen3 = Udp("shelly3", em1);
        EXPECT_NE(gen3.find(R"("result":{"id":0,"voltage":)"), std::string::npos) << gen3;

        // The Gen1 3EM: REST, two decimals.
        char two[32];
        std::snprintf(two, sizeof two, "%.2f", std::stod(tenth));
        EXPECT_EQ(NumberAt(HttpGet(Url("shelly_gen1", "/emeter/0")).body, "power"), two);
        EXPECT_EQ(NumberAt(HttpGet(Url("shelly_gen1", "/status")).body, "total_power"), two);

        // The EcoTracker on one kept-alive connection, and the HomeWizard: whole watts.
        std::string whole = std::to_string(std::lround(std::stod(tenth)));
        UniqueFd connection = ConnectFrom("", http_["ecotracker"]);
        for (int i = 0; i < 3; ++i) {
            std::string answer = Exchange(connection.Get(), GetRequest("/v1/json"), 2s);
            EXPECT_EQ(StatusOf(answer), 200) << answer;
            EXPECT_EQ(NumberAt(answer, "power"), whole) << answer;
        }
        EXPECT_EQ(NumberAt(HttpGet(Url("homewizard", "/api/v1/data")).body, "active_power_w"),
                  whole);
    }

    TempDir dir_;
    std::filesystem::path feed_;
    std::unique_ptr<ChildProcess> process_;
    std::map<std::string, std::uint16_t> http_, udp_;
};

TEST_F(MetersTest, EveryMeterServesTheProThreeEmsReadingOnEachOfItsTransports) {
    ExpectEveryMeterServes(523.4);
    Feed(2, -250.6); // exporting now
    ExpectEveryMeterServes(-250.6);
}

TEST_F(MetersTest, EachDeviceSaysWhoItIs) {
    EXPECT_NE(HttpGet(Url("shelly2", "/shelly")).body.find(R"("model":"SPEM-002CEBEU50","gen":2,)"),
              std::string::npos);
    EXPECT_NE(HttpGet(Url("shelly3", "/shelly")).body.find(R"("model":"S3EM-002CXCEU","gen":3,)"),
              std::string::npos);
    auto gen1 = HttpGet(Url("shelly_gen1", "/shelly")).body;
    EXPECT_NE(gen1.find(R"("type":"SHEM-3","mac":"02005E102054")"), std::string::npos) << gen1;
    EXPECT_EQ(gen1.find("\"gen\""), std::string::npos);
    EXPECT_NE(HttpGet(Url("homewizard", "/api")).body.find(R"("serial":"02005e102056")"),
              std::string::npos);
    // What is not theirs: 404, as the Pro 3EM answers an unknown method.
    EXPECT_EQ(HttpGet(Url("ecotracker", "/shelly")).status, 404);
    EXPECT_EQ(HttpGet(Url("shelly_gen1", "/v1/json")).status, 404);
    EXPECT_EQ(HttpGet(Url("shelly2", "/rpc/EM.GetStatus?id=0")).status, 404);
    EXPECT_EQ(HttpGet(Url("shelly2", "/rpc/EM1.GetStatus?id=2")).status, 400);
    EXPECT_EQ(HttpGet(Url("shelly", "/rpc/EM.GetStatus?id=2")).status, 400);
}

} // namespace
} // namespace meteremu::test
