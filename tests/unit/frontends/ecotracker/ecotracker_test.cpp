// SPDX-License-Identifier: MIT
// type = "ecotracker" behind its real HTTP server: the document, its headers on one kept-alive
// connection as a Jackery reads them, powerAvg, and what it answers to bad paths and stale
// data; its mDNS record beside a real EcoTracker's (tests/fixtures/meters/PROVENANCE.md).
#include "frontends/ecotracker/ecotracker_frontend.hpp"
#include "frontends/ecotracker/power_average.hpp"
#include "support/http_client.hpp"
#include "support/meter_servers.hpp"
#include "support/tcp_client.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

using namespace std::chrono_literals;
using test::HttpGet;

constexpr MacAddress kMac{0x58, 0x8c, 0x81, 0xc4, 0x23, 0x74};

std::shared_ptr<EcoTrackerOptions> Options() {
    auto options = std::make_shared<EcoTrackerOptions>();
    options->mac = kMac;
    return options;
}

Reading MakeReading(double a, double b, double c,
                    SteadyTime at = std::chrono::steady_clock::now()) {
    Reading r;
    r[Phase::A] = {230.0, 2.0, a, 460.0, 0.9, 50.0, 145000.4, 4500.2};
    r[Phase::B] = {230.0, 1.0, b, 230.0, 0.9, 50.0, 1000.0, 0.0};
    r[Phase::C] = {230.0, 0.5, c, 115.0, 0.9, 50.0, 0.0, 0.0};
    r.received_at = at;
    return r;
}

TEST(EcoTrackerTest, DocumentHasTheDocumentedKeysAsIntegers) {
    test::MeterServers servers(ecotracker_frontend_plugin, Options());
    servers.state->Publish(MakeReading(50.4, 49.6, -25.5));
    auto reply = HttpGet(servers.Url("/v1/json"));
    ASSERT_EQ(reply.status, 200);
    EXPECT_EQ(reply.body, R"({"power":75,"powerAvg":75,"powerPhase1":50,"powerPhase2":50,)"
                          R"("powerPhase3":-26,"energyCounterIn":146000,"energyCounterOut":4500})");
}

/// What a Jackery insists on: the connection stays open, and every response carries exactly
/// these headers, never chunked.
TEST(EcoTrackerTest, HundredGetsOnOneConnectionKeepTheHeadersByteForByte) {
    test::MeterServers servers(ecotracker_frontend_plugin, Options());
    servers.state->Publish(MakeReading(100, 0, 0));
    UniqueFd connection = test::ConnectFrom("", servers.bundle->HttpPort());
    for (int i = 0; i < 100; ++i) {
        std::string answer = test::Exchange(connection.Get(), test::GetRequest("/v1/json"), 2s);
        auto head_end = answer.find("\r\n\r\n");
        ASSERT_NE(head_end, std::string::npos) << "GET " << i << ": " << answer;
        std::string body = answer.substr(head_end + 4);
        EXPECT_EQ(answer.substr(0, head_end + 4),
                  "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\n\r\n")
            << "GET " << i;
        EXPECT_TRUE(body.starts_with("{\"power\":100,")) << body;
    }
}

TEST(EcoTrackerTest, PowerAvgIsTheMeanOfTheWindow) {
    auto options = Options();
    options->average_window = Seconds(60);
    test::MeterServers servers(ecotracker_frontend_plugin, options);
    auto now = std::chrono::steady_clock::now();
    servers.state->Publish(MakeReading(1000, 0, 0, now - 90s)); // left the window
    servers.state->Publish(MakeReading(100, 0, 0, now - 30s));
    servers.state->Publish(MakeReading(200, 0, 0, now - 10s));
    servers.state->Publish(MakeReading(-600, 0, 0, now));
    auto body = HttpGet(servers.Url("/v1/json")).body;
    EXPECT_TRUE(body.starts_with(R"({"power":-600,"powerAvg":-100,)")) << body;
}

TEST(EcoTrackerTest, PowerAverageForgetsWhatLeavesTheWindow) {
    ecotracker::PowerAverage average(Seconds(10));
    SteadyTime start{};
    EXPECT_FALSE(average.Mean(start));
    average.Add(start, 10);
    average.Add(start + 5s, 20);
    EXPECT_EQ(average.Mean(start + 6s), 15.0);
    EXPECT_EQ(average.Mean(start + 12s), 20.0);
    EXPECT_FALSE(average.Mean(start + 20s));
}

TEST(EcoTrackerTest, CountersAreWattHoursThatNeverGoBack) {
    test::MeterServers servers(ecotracker_frontend_plugin, Options());
    long last_in = -1;
    for (int i = 0; i < 20; ++i) {
        Reading reading = MakeReading(10, 0, 0);
        reading[Phase::A].import_wh += i * 0.3; // crosses whole watt-hours now and then
        servers.state->Publish(reading);
        auto body = HttpGet(servers.Url("/v1/json")).body;
        auto at = body.find("\"energyCounterIn\":");
        ASSERT_NE(at, std::string::npos) << body;
        long counter = std::stol(body.substr(at + 18));
        EXPECT_GE(counter, last_in);
        last_in = counter;
    }
    EXPECT_EQ(last_in, 146006);
}

TEST(EcoTrackerTest, BadInputAnswersAsThePro3EmsHttpDoes) {
    test::MeterServers servers(ecotracker_frontend_plugin, Options());
    EXPECT_EQ(HttpGet(servers.Url("/v1/json")).status, 503); // nothing received yet
    servers.state->Publish(MakeReading(100, 0, 0));
    for (const char* path : {"/", "/v1", "/v1/json/", "/v1/JSON", "/v2/json", "/shelly"})
        EXPECT_EQ(HttpGet(servers.Url(path)).status, 404) << path;
    EXPECT_EQ(test::HttpPost(servers.Url("/v1/json"), "{}").status, 405);
    EXPECT_EQ(HttpGet(servers.Url("/v1/json?id=7")).status, 200);
}

TEST(EcoTrackerTest, StaleDataUnderEachOnStale) {
    auto old = std::chrono::steady_clock::now() - 60s;
    {
        test::MeterServers servers(ecotracker_frontend_plugin, Options(), OnStale::Silent);
        servers.state->Publish(MakeReading(100, 0, 0, old));
        EXPECT_EQ(HttpGet(servers.Url("/v1/json")).status, 503);
    }
    {
        test::MeterServers servers(ecotracker_frontend_plugin, Options(), OnStale::Zero);
        servers.state->Publish(MakeReading(100, 0, 0, old));
        EXPECT_EQ(HttpGet(servers.Url("/v1/json")).body,
                  R"({"power":0,"powerAvg":0,"powerPhase1":0,"powerPhase2":0,"powerPhase3":0,)"
                  R"("energyCounterIn":146000,"energyCounterOut":4500})");
    }
    {
        test::MeterServers servers(ecotracker_frontend_plugin, Options(), OnStale::Last);
        servers.state->Publish(MakeReading(100, 0, 0, old));
        EXPECT_TRUE(HttpGet(servers.Url("/v1/json")).body.starts_with(R"({"power":100,)"));
    }
}

TEST(EcoTrackerTest, AnnouncesItselfAsTheRealDeviceDoes) {
    // A real one: ecotracker-588C81C42374 on _everhome._tcp, host <instance>.local, port 80,
    // TXT ip, serial (12 lower-case hex), productid=1137.
    std::string real = test::Fixture("meters/ecotracker_avahi-browse_real.txt");
    ASSERT_NE(real.find(";ecotracker-588C81C42374;_everhome._tcp;local;"
                        "ecotracker-588C81C42374.local;"),
              std::string::npos);
    MeterState state(SiteLayout{}, FreshnessPolicy{10s, OnStale::Silent});
    auto frontend = ecotracker_frontend_plugin.create(*Options(), {state, {}});
    MdnsService expected{"_everhome._tcp",
                         "ecotracker-588C81C42374",
                         "ecotracker-588C81C42374",
                         80,
                         {"productid=1137", "serial=588c81c42374"}};
    expected.address_txt_key = "ip";
    EXPECT_EQ(frontend->MdnsServices(80), std::vector<MdnsService>{expected});
}

} // namespace
} // namespace meteremu
