// SPDX-License-Identifier: MIT
// type = "shelly_gen1" behind its real HTTP server: the bytes of a real Shelly 3EM's /status
// (firmware 1.11.8, tests/fixtures/meters/PROVENANCE.md), the paths a Gen1 client reads, Basic
// authentication, and what it answers to bad paths and stale data.
#include "frontends/shelly_gen1/shelly_gen1_frontend.hpp"
#include "support/http_client.hpp"
#include "support/meter_servers.hpp"
#include "support/temp_dir.hpp"
#include "unit/frontends/shelly/captures.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

using namespace std::chrono_literals;
using test::HttpGet;
using test::Member;

constexpr MacAddress kCaptureMac{0xc4, 0x5b, 0xbe, 0x6b, 0x4e, 0xc9};

/// The capture as the device sends it: on one line (the contributor indented it).
std::string CompactCapture() {
    std::string pretty = test::Fixture("meters/shelly-3em-gen1_status_fw1.11.8_syssi.json");
    std::string compact;
    bool in_string = false;
    for (char c : pretty) {
        if (c == '"') in_string = !in_string;
        if (in_string || (c != ' ' && c != '\n')) compact += c;
    }
    return compact;
}

Reading CaptureReading(Seconds age = Seconds(0)) {
    Reading r;
    r[Phase::A] = {234.53, 0.90, 143.25, 210.66, 0.68, 50.0, 743399.3, 0.0};
    r[Phase::B] = {234.66, 1.64, 321.23, 387.02, 0.83, 50.0, 875913.2, 0.0};
    r[Phase::C] = {234.78, 3.01, 398.90, 699.82, 0.57, 50.0, 1080125.1, 1151.4};
    r.received_at =
        std::chrono::steady_clock::now() - std::chrono::duration_cast<SteadyTime::duration>(age);
    return r;
}

std::shared_ptr<ShellyGen1Options> Options(std::string password = "") {
    auto options = std::make_shared<ShellyGen1Options>();
    options->mac = kCaptureMac;
    options->password = std::move(password);
    return options;
}

TEST(ShellyGen1Test, StatusHasTheRealDevicesKeysAndMeterBytes) {
    test::MeterServers servers(shelly_gen1_frontend_plugin, Options());
    servers.state->Publish(CaptureReading());
    std::string capture = CompactCapture();
    auto status = HttpGet(servers.Url("/status"));
    ASSERT_EQ(status.status, 200) << status.body;
    EXPECT_EQ(status.Header("Content-Type"), "application/json");
    EXPECT_EQ(test::Keys(status.body), test::Keys(capture));
    EXPECT_EQ(Member(status.body, "emeters", "total_power"),
              Member(capture, "emeters", "total_power"));
    EXPECT_EQ(Member(status.body, "total_power", "fs_mounted"),
              Member(capture, "total_power", "fs_mounted"));
    EXPECT_EQ(Member(status.body, "relays", "emeters"), Member(capture, "relays", "emeters"));
    EXPECT_EQ(Member(status.body, "update", "ram_total"), Member(capture, "update", "ram_total"));
    EXPECT_EQ(Member(status.body, "mac", "cfg_changed_cnt"),
              Member(capture, "mac", "cfg_changed_cnt"));
}

TEST(ShellyGen1Test, EachEmeterIsOneElementOfTheStatus) {
    test::MeterServers servers(shelly_gen1_frontend_plugin, Options());
    servers.state->Publish(CaptureReading());
    const char* expected[] = {
        R"({"power":143.25,"pf":0.68,"current":0.90,"voltage":234.53,"is_valid":true,)"
        R"("total":743399.3,"total_returned":0.0})",
        R"({"power":321.23,"pf":0.83,"current":1.64,"voltage":234.66,"is_valid":true,)"
        R"("total":875913.2,"total_returned":0.0})",
        R"({"power":398.90,"pf":0.57,"current":3.01,"voltage":234.78,"is_valid":true,)"
        R"("total":1080125.1,"total_returned":1151.4})",
    };
    std::string capture = CompactCapture();
    for (int i = 0; i < 3; ++i) {
        auto emeter = HttpGet(servers.Url("/emeter/" + std::to_string(i)));
        EXPECT_EQ(emeter.status, 200);
        EXPECT_EQ(emeter.body, expected[i]);
        EXPECT_NE(capture.find(expected[i]), std::string::npos) << expected[i];
    }
}

TEST(ShellyGen1Test, ShellyAndSettingsSayGen1WithoutAGenKey) {
    test::MeterServers servers(shelly_gen1_frontend_plugin, Options());
    auto shelly = HttpGet(servers.Url("/shelly"));
    EXPECT_EQ(shelly.status, 200);
    EXPECT_EQ(shelly.body, R"({"type":"SHEM-3","mac":"C45BBE6B4EC9","auth":false,)"
                           R"("fw":"20220324-123835/v1.11.8-3EM-fix-g0014dcb",)"
                           R"("num_outputs":1,"num_meters":0,"num_emeters":3})");
    auto settings = HttpGet(servers.Url("/settings"));
    EXPECT_EQ(settings.status, 200);
    EXPECT_NE(settings.body.find(R"({"device":{"type":"SHEM-3","mac":"C45BBE6B4EC9",)"
                                 R"("hostname":"shellyem3-C45BBE6B4EC9","num_outputs":1,)"),
              std::string::npos)
        << settings.body;
    EXPECT_EQ(settings.body.find("\"gen\""), std::string::npos);
}

TEST(ShellyGen1Test, BadPathsAnswerNotFound) {
    test::MeterServers servers(shelly_gen1_frontend_plugin, Options());
    servers.state->Publish(CaptureReading());
    for (const char* path : {"/emeter/3", "/emeter/", "/emeter/00", "/emeter/-1", "/nope",
                             "/rpc/Shelly.GetDeviceInfo", "/status/x"})
        EXPECT_EQ(HttpGet(servers.Url(path)).status, 404) << path;
    EXPECT_EQ(test::HttpPost(servers.Url("/status"), "{}").status, 405);
}

TEST(ShellyGen1Test, NothingFreshUnderSilentIsUnavailable) {
    test::MeterServers servers(shelly_gen1_frontend_plugin, Options(), OnStale::Silent);
    EXPECT_EQ(HttpGet(servers.Url("/status")).status, 503);
    servers.state->Publish(CaptureReading(Seconds(60)));
    EXPECT_EQ(HttpGet(servers.Url("/status")).status, 503);
    EXPECT_EQ(HttpGet(servers.Url("/emeter/0")).status, 503);
    EXPECT_EQ(HttpGet(servers.Url("/shelly")).status, 200);
}

TEST(ShellyGen1Test, StaleUnderZeroReadsZeroPowerAndKeepsCounters) {
    test::MeterServers servers(shelly_gen1_frontend_plugin, Options(), OnStale::Zero);
    EXPECT_EQ(HttpGet(servers.Url("/emeter/0")).status, 503); // counters are never invented
    servers.state->Publish(CaptureReading(Seconds(60)));
    EXPECT_EQ(HttpGet(servers.Url("/emeter/2")).body,
              R"({"power":0.00,"pf":0.00,"current":0.00,"voltage":234.78,"is_valid":true,)"
              R"("total":1080125.1,"total_returned":1151.4})");
}

TEST(ShellyGen1Test, StaleUnderLastServesTheLastValues) {
    test::MeterServers servers(shelly_gen1_frontend_plugin, Options(), OnStale::Last);
    servers.state->Publish(CaptureReading(Seconds(60)));
    EXPECT_NE(HttpGet(servers.Url("/emeter/2")).body.find(R"("power":398.90,)"), std::string::npos);
}

TEST(ShellyGen1Test, APasswordGuardsEverythingButShelly) {
    test::MeterServers servers(shelly_gen1_frontend_plugin, Options("s3cret"));
    servers.state->Publish(CaptureReading());
    auto refused = HttpGet(servers.Url("/status"));
    EXPECT_EQ(refused.status, 401);
    EXPECT_EQ(refused.Header("WWW-Authenticate"), "Basic realm=\"shellyem3-C45BBE6B4EC9\"");
    EXPECT_EQ(refused.body.find("s3cret"), std::string::npos);
    std::string port = std::to_string(servers.bundle->HttpPort());
    EXPECT_EQ(HttpGet("http://admin:wrong@127.0.0.1:" + port + "/status").status, 401);
    EXPECT_EQ(HttpGet("http://admin:s3cret@127.0.0.1:" + port + "/emeter/1").status, 200);
    EXPECT_EQ(HttpGet("http://admin:s3cret@127.0.0.1:" + port + "/settings").body.find("s3cret"),
              std::string::npos);
    auto shelly = HttpGet(servers.Url("/shelly"));
    EXPECT_EQ(shelly.status, 200);
    EXPECT_NE(shelly.body.find("\"auth\":true"), std::string::npos);
}

TEST(ShellyGen1Test, AdvertisesItsHostNameOnHttp) {
    test::MeterServers servers(shelly_gen1_frontend_plugin, Options());
    EXPECT_EQ(servers.bundle->Describe(), "Shelly 3EM (Gen1) shellyem3-C45BBE6B4EC9");
    MeterState state(SiteLayout{}, FreshnessPolicy{std::chrono::seconds(10), OnStale::Silent});
    auto frontend = shelly_gen1_frontend_plugin.create(*Options(), {state, {}});
    EXPECT_EQ(frontend->MdnsServices(80),
              (std::vector<MdnsService>{
                  {"_http._tcp", "shellyem3-C45BBE6B4EC9", "shellyem3-C45BBE6B4EC9", 80, {}}}));
}

} // namespace
} // namespace meteremu
