// SPDX-License-Identifier: MIT
// Known values through our renderers, compared byte for byte with real Pro 3EM captures.
// Whole methods, through the dispatcher, are in methods_golden_test.cpp.
#include "frontends/shelly/components.hpp"
#include "frontends/shelly/render.hpp"
#include "unit/frontends/shelly/captures.hpp"

#include <gtest/gtest.h>

namespace meteremu::shelly {
namespace {

using test::Keys;
using test::Member;
using test::Sigelly;

constexpr const char* kBeta = "shelly/misc_real_captures/pro3em_fw2.0.0beta_Shelly.GetStatus.json";

/// Values behind the fw 2.0.0-beta Shelly.GetStatus (two dead phases).
Reading BetaReading() {
    Reading r;
    r[Phase::A] = {0.0, 0.028, 0.0, 0.0, 0.0, 0.0, 0.026, 0.0};
    r[Phase::B] = {0.0, 0.027, 0.0, 0.0, 0.0, 0.0, 0.026, 0.0};
    r[Phase::C] = {233.1, 1.137, 142.605, 264.956, 0.54, 50.0, 95884.058, 5123.04};
    return r;
}

TEST(ShellyRenderGoldenTest, EmGetStatusMatchesRealDevice) {
    std::string out;
    AppendEmStatus(out, test::SigellyEmReading());
    EXPECT_EQ(out, Sigelly("rpc_EM.GetStatus_id_0.json"));
}

TEST(ShellyRenderGoldenTest, EmDataGetStatusMatchesRealDevice) {
    std::string out;
    AppendEmDataStatus(out, test::SigellyEmReading());
    EXPECT_EQ(out, Sigelly("rpc_EMData.GetStatus_id_0.json"));
}

TEST(ShellyRenderGoldenTest, DeadPhasesMatchRealDevice) {
    std::string capture = test::Fixture(kBeta);
    std::string em, emdata;
    AppendEmStatus(em, BetaReading());
    AppendEmDataStatus(emdata, BetaReading());
    EXPECT_EQ(em, Member(capture, "em:0", "emdata:0"));
    EXPECT_EQ(emdata, Member(capture, "emdata:0", "eth"));
}

TEST(ShellyRenderGoldenTest, NegativeZeroIsPrintedWithoutSign) {
    Reading reading;
    reading[Phase::A] = {230.0, 0.0, -0.04, 0.0, -0.001, 50.0, 0.0, 0.0};
    std::string out;
    AppendEmStatus(out, reading);
    EXPECT_NE(out.find("\"a_act_power\":0.0,\"a_aprt_power\":0.0,\"a_pf\":0.00,"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("\"total_act_power\":-0.040,"), std::string::npos) << out;
    EXPECT_EQ(out.find("-0.0,"), std::string::npos) << out;
}

TEST(ShellyRenderGoldenTest, DeviceInfoMatchesRealDevice) {
    Identity identity = MakeIdentity({0xe0, 0x5a, 0x1b, 0x33, 0x31, 0xfc});
    identity.fw_id = "20240822-121054/1.4.3-g143ff62";
    identity.ver = "1.4.3";
    std::string out;
    AppendDeviceInfo(out, identity);
    EXPECT_EQ(out, test::Pasted("shelly/misc_real_captures/"
                                "pro3em_fw1.4.3_triphase_Shelly.GetDeviceInfo.json"));
}

TEST(ShellyRenderGoldenTest, TemperatureKeepsTheFirmwareSpaces) {
    std::string out;
    AppendTemperatureStatus(out, 46.05);
    EXPECT_EQ(out, Sigelly("rpc_Temperature.GetStatus_id_0.json"));
    std::string capture = Sigelly("rpc_Shelly.GetStatus.json");
    std::string in_status;
    AppendTemperatureStatus(in_status, 45.9);
    EXPECT_EQ(in_status, Member(capture, "temperature:0", "wifi"));
}

TEST(ShellyRenderGoldenTest, SysStatusHasTheFirmwareKeyOrder) {
    auto expected = Keys(Sigelly("rpc_Sys.GetStatus.json"));
    std::erase(expected, "alt"); // 2.0.0 only; the 1.6.1 order is otherwise the same
    Identity identity = MakeIdentity(test::kSigellyMac);
    std::string out;
    AppendSysStatus(out, identity, {1786185041, "12:30", 443021, 1786184933, 147772, 7200, 45});
    EXPECT_EQ(Keys(out), expected);
    EXPECT_NE(out.find("\"mac\":\"E08CFE96CCC4\",\"restart_required\":false,\"time\":\"12:30\","
                       "\"unixtime\":1786185041,\"last_sync_ts\":1786184933,\"uptime\":443021,"),
              std::string::npos)
        << out;
}

TEST(ShellyRenderGoldenTest, UnavailableMeterIsValidJsonWithAnError) {
    std::string em, emdata;
    AppendEmStatusUnavailable(em);
    AppendEmDataStatusUnavailable(emdata);
    std::vector<std::string> em_keys = Keys(em);
    EXPECT_EQ(em_keys.front(), "id");
    EXPECT_EQ(em_keys.back(), "errors");
    EXPECT_EQ(em_keys.size(), 1 + 18 + 4 + 1 + 1u);
    EXPECT_NE(em.find("\"total_act_power\":null"), std::string::npos);
    EXPECT_NE(em.find("\"errors\":[\"power_meter_failure\"]"), std::string::npos);
    EXPECT_EQ(Keys(emdata).size(), 1 + 6 + 2 + 1u);
    std::string em1, em1data;
    AppendEm1StatusUnavailable(em1, 2);
    AppendEm1DataStatusUnavailable(em1data, 2);
    EXPECT_EQ(Keys(em1),
              (std::vector<std::string>{"id", "current", "voltage", "act_power", "aprt_power", "pf",
                                        "freq", "calibration", "errors"}));
    EXPECT_TRUE(em1data.starts_with("{\"id\":2,\"total_act_energy\":null,")) << em1data;
}

TEST(ShellyRenderGoldenTest, StatusObjectListsTheRealComponentsInOrder) {
    Identity identity = MakeIdentity(test::kSigellyMac);
    SysInfo sys{1786185039, "12:30", 443020, 1786184933, 147096, 7200, 45.9};
    MeterView no_data;
    std::string out;
    AppendStatusObject(out, {identity, sys, no_data});
    EXPECT_EQ(Keys(out), Keys(Sigelly("rpc_Shelly.GetStatus.json")));
}

} // namespace
} // namespace meteremu::shelly
