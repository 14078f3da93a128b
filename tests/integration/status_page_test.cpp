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

/// The client of `address` in the document, or null.
json_t* ClientOf(json_t* document, std::string_view address) {
    json_t* clients = json_object_get(document, "clients");
    for (std::size_t i = 0; i < json_array_size(clients); ++i) {
        json_t* client = json_array_get(clients, i);
        if (json_string_value(json_object_get(client, "address")) == address) return client;
    }
    return nullptr;
}

std::vector<std::string> MethodsOf(json_t* client) {
    std::vector<std::string> methods;
    json_t* list = json_object_get(client, "methods");
    for (std::size_t i = 0; i < json_array_size(list); ++i)
        methods.emplace_back(json_string_value(json_array_get(list, i)));
    return methods;
}

json_int_t Got(json_t* client, const char* outcome) {
    return json_integer_value(json_object_get(json_object_get(client, "got"), outcome));
}

// Each client says what it asked and what it got, over UDP and HTTP (the second GET from the
// server's reply cache), refused ones included; /metrics counts the same by transport,
// method and outcome.
TEST(StatusPageTest, EachClientSaysWhatItAskedAndWhatItGot) {
    TempDir dir;
    std::string config = WithFrontendKeys(DemoTestConfig("02:00:5E:10:20:58"),
                                          std::string(kAnswerEveryPoll) +
                                              "allow = [\"127.0.0.9\", \"127.0.0.11\"]\n");
    RunningDaemon daemon = StartDaemon(dir.Write("meteremu.toml", config).string());
    auto udp = daemon.UdpPorts(2);
    std::this_thread::sleep_for(300ms); // the first reading: before it, on_stale = "silent"
    UdpClient battery("127.0.0.9"), stranger("127.0.0.12");
    for (const char* poll : {kMarstekPoll, kMarstekPoll, R"({"id":2,"method":"No.Such"})"}) {
        ASSERT_TRUE(battery.Send("127.0.0.1", udp[0], poll));
        ASSERT_TRUE(battery.Receive(2s)) << daemon.process->Stderr();
    }
    ASSERT_TRUE(stranger.Send("127.0.0.1", udp[0], kMarstekPoll));
    EXPECT_FALSE(stranger.Receive(300ms)) << "outside allow";
    std::string base = "http://127.0.0.1:" + std::to_string(daemon.http_port);
    for (int poll = 0; poll < 2; ++poll)
        EXPECT_EQ(HttpGet(base + "/rpc/EM.GetStatus?id=0", 5s, "127.0.0.11").status, 200);
    EXPECT_EQ(HttpGet(base + "/rpc/Made.Up", 5s, "127.0.0.11").status, 404);
    std::this_thread::sleep_for(1200ms); // the document is rendered once a second
    JsonPtr document = StatusDocument(daemon.http_port);
    ASSERT_TRUE(document);
    json_t* udp_client = ClientOf(document.get(), "127.0.0.9");
    ASSERT_TRUE(udp_client);
    EXPECT_EQ(MethodsOf(udp_client), (std::vector<std::string>{"other", "EM.GetStatus"}));
    EXPECT_EQ(Got(udp_client, "answered"), 2);
    EXPECT_EQ(Got(udp_client, "failed"), 1); // the unknown method's error reply
    json_t* http_client = ClientOf(document.get(), "127.0.0.11");
    ASSERT_TRUE(http_client);
    EXPECT_STREQ(json_string_value(json_object_get(http_client, "transport")), "HTTP");
    EXPECT_EQ(MethodsOf(http_client), (std::vector<std::string>{"other", "EM.GetStatus"}));
    EXPECT_EQ(Got(http_client, "answered"), 2);
    EXPECT_EQ(Got(http_client, "failed"), 1);
    json_t* refused = ClientOf(document.get(), "127.0.0.12");
    ASSERT_TRUE(refused);
    EXPECT_EQ(MethodsOf(refused), std::vector<std::string>{"-"});
    EXPECT_EQ(Got(refused, "refused"), 1);
    std::string metrics = HttpGet(base + "/metrics").body;
    for (const char* line :
         {"meteremu_requests_total{transport=\"udp\",method=\"EM.GetStatus\","
          "outcome=\"answered\"} 2\n",
          "meteremu_requests_total{transport=\"http\",method=\"EM.GetStatus\","
          "outcome=\"answered\"} 2\n",
          "meteremu_requests_total{transport=\"udp\",method=\"-\",outcome=\"refused\"} 1\n",
          "meteremu_requests_total{transport=\"http\",method=\"other\",outcome=\"failed\"} 1\n"})
        EXPECT_NE(metrics.find(line), std::string::npos) << line << metrics;
    EXPECT_NE(metrics.find("meteremu_http_connections_opened_total{frontend=\"shelly\"} "),
              std::string::npos)
        << metrics;
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
