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

#include <csignal>
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

/// The port of the daemon's "serving the status page on ADDRESS:PORT" line.
std::uint16_t OwnStatusPort(ChildProcess& process, int nth = 1) {
    std::string pattern;
    for (int i = 0; i < nth; ++i)
        pattern += R"(serving the status page on 127\.0\.0\.1:(\d+)[^\n]*\n[\s\S]*)";
    auto found = process.WaitForOutput(pattern);
    EXPECT_TRUE(found) << process.Stderr();
    return found ? static_cast<std::uint16_t>(std::stoi(found->back())) : 0;
}

TEST(StatusPageTest, OnAPortOfItsOwnUnderItsOwnAllowListAndMovedBackByAReload) {
    TempDir dir;
    std::string config = DemoTestConfig("02:00:5E:10:20:59") +
                         "\n[status]\nlisten = \"127.0.0.1:0\"\n"
                         "allow = [\"127.0.0.32/30\"]\n";
    std::filesystem::path file = dir.Write("meteremu.toml", config);
    RunningDaemon daemon = StartDaemon(file.string());
    std::uint16_t own = OwnStatusPort(*daemon.process);
    ASSERT_NE(own, 0);
    std::string page = "http://127.0.0.1:" + std::to_string(own);
    std::string frontend = "http://127.0.0.1:" + std::to_string(daemon.http_port);
    // Its own port: the three paths for the allowed network, nothing else, nobody else.
    EXPECT_EQ(HttpGet(page + "/", 5s, "127.0.0.33").status, 200);
    EXPECT_EQ(HttpGet(page + "/metrics", 5s, "127.0.0.33").status, 200);
    std::this_thread::sleep_for(1200ms); // the document is rendered once a second
    EXPECT_NE(HttpGet(page + "/status.json", 5s, "127.0.0.33").body.find("\"reading\""),
              std::string::npos);
    EXPECT_EQ(HttpGet(page + "/shelly", 5s, "127.0.0.33").status, 404);
    EXPECT_NE(HttpGet(page + "/", 5s, "127.0.0.40").status, 200);
    // The frontend's port leaves the paths to the frontend.
    EXPECT_EQ(HttpGet(frontend + "/").status, 404);
    EXPECT_EQ(HttpGet(frontend + "/status.json").status, 404);
    EXPECT_EQ(HttpGet(frontend + "/shelly").status, 200);
    // A reload without listen: back on the frontend's port, its own port closed.
    std::filesystem::remove(file);
    dir.Write("meteremu.toml", DemoTestConfig("02:00:5E:10:20:59"));
    ASSERT_EQ(kill(daemon.process->Pid(), SIGHUP), 0);
    ASSERT_TRUE(daemon.process->WaitForOutput("status page back on every frontend's HTTP port"))
        << daemon.process->Stderr();
    EXPECT_EQ(HttpGet(frontend + "/").status, 200);
    EXPECT_NE(HttpGet(page + "/", 2s, "127.0.0.33").status, 200);
}

} // namespace
} // namespace meteremu::test
