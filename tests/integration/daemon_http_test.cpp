// SPDX-License-Identifier: MIT
// The built daemon on the simulated household, on an ephemeral port, queried with libcurl.
#include "support/daemon_process.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <csignal>
#include <netinet/in.h>
#include <regex>
#include <sys/socket.h>
#include <thread>

namespace meteremu::test {
namespace {

constexpr std::string_view kConfig = R"(
[frontend]
mac = "02:00:5E:10:20:30"
listen_address = "127.0.0.1"
http_port = 0
udp_ports = [0, 0]
mdns = false

[backend]
type = "demo"
poll_interval = 0.2
seed = 7
)";

class DaemonHttpTest : public testing::Test {
protected:
    void SetUp() override { daemon_ = StartDaemon(dir_.Write("meteremu.toml", kConfig).string()); }

    HttpResult Get(const std::string& path) { return HttpGet(daemon_.Url(path)); }

    /// The number after "key": in a reply.
    static double Number(const std::string& body, const std::string& key) {
        std::smatch match;
        std::regex pattern("\"" + key + "\":(-?[0-9]+\\.[0-9]+)");
        EXPECT_TRUE(std::regex_search(body, match, pattern)) << key << " in " << body;
        return match.empty() ? 0 : std::stod(match[1]);
    }

    TempDir dir_;
    RunningDaemon daemon_;
};

TEST_F(DaemonHttpTest, EveryEndpointAnswers) {
    // The first reading is published right after start; give it a moment.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const std::string device =
        R"({"name":null,"id":"shellypro3em-02005e102030","mac":"02005E102030",)"
        R"("slot":0,"model":"SPEM-003CEBEU","gen":2,)"
        R"("fw_id":"20250508-110717/1.6.1-g8dbd358","ver":"1.6.1",)"
        R"("app":"Pro3EM","auth_en":false,"auth_domain":null,)"
        R"("profile":"triphase"})";
    for (const char* path : {"/shelly", "/rpc/Shelly.GetDeviceInfo"}) {
        auto reply = Get(path);
        EXPECT_EQ(reply.status, 200) << path;
        EXPECT_EQ(reply.body, device) << path;
    }
    auto em = Get("/rpc/EM.GetStatus?id=0");
    ASSERT_EQ(em.status, 200) << em.body;
    EXPECT_TRUE(std::regex_match(
        em.body, std::regex(R"(\{"id":0,("[abc]_current":-?\d+\.\d{3},"[abc]_voltage":\d+\.\d,)"
                            R"("[abc]_act_power":-?\d+\.\d,"[abc]_aprt_power":\d+\.\d,)"
                            R"("[abc]_pf":-?\d\.\d\d,"[abc]_freq":\d+\.\d,){3})"
                            R"("n_current":null,"total_current":\d+\.\d{3},)"
                            R"("total_act_power":-?\d+\.\d{3},"total_aprt_power":\d+\.\d{3}, )"
                            R"("user_calibrated_phase":\[\]\})")))
        << em.body;
    auto emdata = Get("/rpc/EMData.GetStatus?id=0");
    ASSERT_EQ(emdata.status, 200) << emdata.body;
    EXPECT_NEAR(Number(emdata.body, "total_act"),
                Number(emdata.body, "a_total_act_energy") +
                    Number(emdata.body, "b_total_act_energy") +
                    Number(emdata.body, "c_total_act_energy"),
                0.011);
    auto status = Get("/rpc/Shelly.GetStatus");
    ASSERT_EQ(status.status, 200);
    EXPECT_NE(status.body.find("\"em:0\":{\"id\":0,"), std::string::npos);
    EXPECT_NE(status.body.find("\"sys\":{\"mac\":\"02005E102030\""), std::string::npos);
    for (const auto* reply : {&em, &emdata, &status}) {
        EXPECT_EQ(reply->Header("Content-Type"), "application/json");
        EXPECT_EQ(reply->Header("Server"), "ShellyHTTP/1.0.0");
        EXPECT_EQ(reply->Header("Content-Length"), std::to_string(reply->body.size()));
    }
    auto unknown = Get("/rpc/Switch.GetStatus?id=0");
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(unknown.body, R"({"code":404,"message":"No handler for Switch.GetStatus"})");
    EXPECT_EQ(Get("/rpc/emdata.getstatus?id=0").status, 200);
}

TEST_F(DaemonHttpTest, ValuesChangeWithNewReadings) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto first = Get("/rpc/EM.GetStatus?id=0");
    std::this_thread::sleep_for(std::chrono::seconds(1));
    auto second = Get("/rpc/EM.GetStatus?id=0");
    ASSERT_EQ(first.status, 200);
    ASSERT_EQ(second.status, 200);
    EXPECT_NE(first.body, second.body);
    EXPECT_NE(Number(first.body, "total_act_power"), Number(second.body, "total_act_power"));
}

TEST_F(DaemonHttpTest, StopsCleanlyOnSigterm) {
    auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(daemon_.process->Stop(SIGTERM), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
    EXPECT_NE(daemon_.process->Stderr().find("SIGTERM: stopping"), std::string::npos);
}

bool PortIsFree(std::uint16_t port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool free = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    close(fd);
    return free;
}

TEST(DemoModeTest, ServesTheSimulatedHouseholdOnLoopback8080) {
    if (!PortIsFree(8080))
        GTEST_SKIP() << "127.0.0.1:8080 is taken by another program on this machine";
    ChildProcess demo({METEREMU_BINARY, "--demo"});
    bool serving = demo.WaitForOutput("serving HTTP on 127.0.0.1:8080").has_value();
    if (!serving && demo.Stderr().find("Address already in use") != std::string::npos)
        GTEST_SKIP() << "another program holds 127.0.0.1:8080 or UDP 11010/12220: "
                     << demo.Stderr();
    ASSERT_TRUE(serving) << demo.Stderr();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto reply = HttpGet("http://127.0.0.1:8080/rpc/EM.GetStatus?id=0");
    EXPECT_EQ(reply.status, 200);
    EXPECT_NE(reply.body.find("\"c_act_power\":"), std::string::npos);
    EXPECT_EQ(demo.Stop(SIGINT), 0);
}

} // namespace
} // namespace meteremu::test
