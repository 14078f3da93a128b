// SPDX-License-Identifier: MIT
// type = "homewizard" behind its real HTTP server, compared with the P1 meter's API as its
// vendor's library tests it (tests/fixtures/meters/PROVENANCE.md): key order, values, and
// what it answers to bad paths and stale data.
#include "frontends/homewizard/homewizard_frontend.hpp"
#include "support/http_client.hpp"
#include "support/meter_servers.hpp"
#include "support/temp_dir.hpp"
#include "unit/frontends/shelly/captures.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace meteremu {
namespace {

using namespace std::chrono_literals;
using test::HttpGet;
using test::Member;

constexpr MacAddress kMac{0x5c, 0x2f, 0xaf, 0xaa, 0xbb, 0xcc};

std::shared_ptr<HomeWizardOptions> Options() {
    auto options = std::make_shared<HomeWizardOptions>();
    options->mac = kMac;
    return options;
}

/// The capture's values: -676 W and 133 W on l1 and l2, 13779.338 kWh imported.
Reading CaptureReading(Seconds age = Seconds(0)) {
    Reading r;
    r[Phase::A] = {230.0, 4.0, -676.0, 920.0, -0.73, 50.0, 13779338.0, 0.0};
    r[Phase::B] = {230.0, 2.0, 133.0, 460.0, 0.29, 50.0, 0.0, 0.0};
    r[Phase::C] = {230.0, 0.0, 0.0, 0.0, 0.0, 50.0, 0.0, 0.0};
    r.received_at =
        std::chrono::steady_clock::now() - std::chrono::duration_cast<SteadyTime::duration>(age);
    return r;
}

std::string Compact(const std::string& pretty) {
    std::string compact;
    bool in_string = false;
    for (char c : pretty) {
        if (c == '"') in_string = !in_string;
        if (in_string || (c != ' ' && c != '\n')) compact += c;
    }
    return compact;
}

TEST(HomeWizardTest, DataKeepsTheKeyOrderOfTheRealApi) {
    test::MeterServers servers(homewizard_frontend_plugin, Options());
    servers.state->Publish(CaptureReading());
    auto reply = HttpGet(servers.Url("/api/v1/data"));
    ASSERT_EQ(reply.status, 200);
    EXPECT_EQ(reply.Header("Content-Type"), "application/json");
    std::string capture =
        Compact(test::Fixture("meters/homewizard-p1_api_v1_data_python-homewizard-energy.json"));
    // Our keys are the capture's, in its order, without the gas meter, the Belgian peak
    // tracking and the external meters a P1 reads only where they exist.
    std::vector<std::string> expected;
    for (const auto& key : test::Keys(capture))
        if (key.find("gas") == std::string::npos && key.find("montly") == std::string::npos &&
            key != "external" && key != "active_power_average_w")
            expected.push_back(key);
    EXPECT_EQ(test::Keys(reply.body), expected);
    auto next = [&](const std::string& key) {
        return *(std::find(expected.begin(), expected.end(), key) + 1);
    };
    for (std::string key : {"total_power_import_kwh", "active_power_w", "active_power_l1_w",
                            "active_power_l2_w", "active_power_l3_w"})
        EXPECT_EQ(Member(reply.body, key, next(key)), Member(capture, key, next(key))) << key;
    EXPECT_NE(reply.body.find(R"("active_power_w":-543,)"), std::string::npos) << reply.body;
    EXPECT_NE(reply.body.find(R"("active_current_l1_a":-4.000,)"), std::string::npos);
}

TEST(HomeWizardTest, ApiNamesTheDevice) {
    test::MeterServers servers(homewizard_frontend_plugin, Options());
    auto reply = HttpGet(servers.Url("/api"));
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(reply.body,
              R"({"product_type":"HWE-P1","product_name":"P1 meter",)"
              R"("serial":"5c2fafaabbcc","firmware_version":"4.19","api_version":"v1"})");
    auto capture = test::Keys(
        Compact(test::Fixture("meters/homewizard-p1_api_v2_device_python-homewizard-energy.json")));
    auto ours = test::Keys(reply.body);
    std::sort(capture.begin(), capture.end());
    std::sort(ours.begin(), ours.end());
    EXPECT_EQ(ours, capture);
}

TEST(HomeWizardTest, BadInputAndStaleDataAsThePro3EmsHttp) {
    test::MeterServers servers(homewizard_frontend_plugin, Options(), OnStale::Silent);
    EXPECT_EQ(HttpGet(servers.Url("/api/v1/data")).status, 503);
    for (const char* path : {"/", "/api/v1", "/api/v2/data", "/api/measurement", "/v1/json"})
        EXPECT_EQ(HttpGet(servers.Url(path)).status, 404) << path;
    servers.state->Publish(CaptureReading(Seconds(60)));
    EXPECT_EQ(HttpGet(servers.Url("/api/v1/data")).status, 503);
    EXPECT_EQ(HttpGet(servers.Url("/api")).status, 200);
    EXPECT_EQ(test::HttpPost(servers.Url("/api/v1/data"), "{}").status, 405);

    test::MeterServers zero(homewizard_frontend_plugin, Options(), OnStale::Zero);
    zero.state->Publish(CaptureReading(Seconds(60)));
    auto body = HttpGet(zero.Url("/api/v1/data")).body;
    EXPECT_NE(body.find(R"("total_power_import_kwh":13779.338,)"), std::string::npos) << body;
    EXPECT_NE(body.find(R"("active_power_w":0,)"), std::string::npos) << body;

    test::MeterServers last(homewizard_frontend_plugin, Options(), OnStale::Last);
    last.state->Publish(CaptureReading(Seconds(60)));
    auto kept = HttpGet(last.Url("/api/v1/data"));
    EXPECT_EQ(kept.status, 200);
    EXPECT_NE(kept.body.find(R"("active_power_w":-543,)"), std::string::npos) << kept.body;
}

} // namespace
} // namespace meteremu
