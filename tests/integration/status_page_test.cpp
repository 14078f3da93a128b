// SPDX-License-Identifier: MIT
// The status page of the built daemon: /status.json follows the reading and names the
// clients that polled (not the person reading the page), and [status] enabled = false leaves
// both paths to the frontend. The page itself in a browser: system/status_page_browser_test.py.
#include "support/daemon_process.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"
#include "support/udp_client.hpp"
#include "util/json.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace meteremu::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kMarstekPoll = R"({"id":1,"method":"EM.GetStatus","params":{"id":0}})";

JsonPtr StatusDocument(std::uint16_t port, const std::string& source = "") {
    HttpResult result =
        HttpGet("http://127.0.0.1:" + std::to_string(port) + "/status.json", 5s, source);
    EXPECT_EQ(result.status, 200) << result.error << result.body;
    json_error_t error;
    return JsonPtr(json_loads(result.body.c_str(), 0, &error));
}

/// The addresses of the document's clients.
std::vector<std::string> ClientAddresses(json_t* document) {
    std::vector<std::string> addresses;
    json_t* clients = json_object_get(document, "clients");
    for (std::size_t i = 0; i < json_array_size(clients); ++i)
        addresses.emplace_back(
            json_string_value(json_object_get(json_array_get(clients, i), "address")));
    return addresses;
}

TEST(StatusPageTest, TheDocumentNamesThePollersButNotTheReader) {
    TempDir dir;
    std::string config = WithFrontendKeys(DemoTestConfig("02:00:5E:10:20:57"), kAnswerEveryPoll);
    RunningDaemon daemon = StartDaemon(dir.Write("meteremu.toml", config).string());
    auto udp = daemon.UdpPorts(2);
    std::this_thread::sleep_for(300ms); // the first reading: before it, on_stale = "silent"
    UdpClient battery("127.0.0.9");
    for (int poll = 0; poll < 2; ++poll) {
        ASSERT_TRUE(battery.Send("127.0.0.1", udp[0], kMarstekPoll));
        ASSERT_TRUE(battery.Receive(2s)) << daemon.process->Stderr();
    }
    // The reader asks from an address of its own, many times.
    for (int read = 0; read < 3; ++read)
        StatusDocument(daemon.http_port, "127.0.0.10");
    std::this_thread::sleep_for(1200ms); // the document is rendered once a second
    JsonPtr document = StatusDocument(daemon.http_port, "127.0.0.10");
    ASSERT_TRUE(document);
    EXPECT_EQ(ClientAddresses(document.get()), std::vector<std::string>{"127.0.0.9"});
    json_t* client = json_array_get(json_object_get(document.get(), "clients"), 0);
    EXPECT_STREQ(json_string_value(json_object_get(client, "transport")), "UDP");
    EXPECT_EQ(json_integer_value(json_object_get(client, "port")), udp[0]);
    EXPECT_EQ(json_integer_value(json_object_get(client, "polls")), 2);
    json_t* reading = json_object_get(document.get(), "reading");
    EXPECT_TRUE(json_is_true(json_object_get(reading, "present")));
    EXPECT_EQ(json_array_size(json_object_get(reading, "phases")), 3u);
    json_t* frontend = json_array_get(json_object_get(document.get(), "frontends"), 0);
    EXPECT_STREQ(json_string_value(json_object_get(frontend, "serving")), "fresh");
    EXPECT_EQ(json_integer_value(json_object_get(frontend, "http_port")), daemon.http_port);
    HttpResult page = HttpGet("http://127.0.0.1:" + std::to_string(daemon.http_port) + "/");
    EXPECT_EQ(page.status, 200);
    EXPECT_EQ(page.Header("Content-Type"), "text/html; charset=utf-8");
    EXPECT_NE(page.body.find("status.json"), std::string::npos);
}

TEST(StatusPageTest, TurnedOffBothPathsAreTheFrontendsOwn) {
    TempDir dir;
    std::string config = DemoTestConfig("02:00:5E:10:20:58") + "\n[status]\nenabled = false\n";
    RunningDaemon daemon = StartDaemon(dir.Write("meteremu.toml", config).string());
    std::string base = "http://127.0.0.1:" + std::to_string(daemon.http_port);
    EXPECT_EQ(HttpGet(base + "/").status, 404);
    EXPECT_EQ(HttpGet(base + "/status.json").status, 404);
    EXPECT_EQ(HttpGet(base + "/shelly").status, 200);
}

} // namespace
} // namespace meteremu::test
