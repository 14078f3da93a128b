// SPDX-License-Identifier: MIT
// Known values through our renderer, compared byte for byte with real Pro 3EM captures.
#include "frontends/shelly/render.hpp"
#include "support/temp_dir.hpp"
#include "util/json.hpp"

#include <gtest/gtest.h>

namespace meteremu::shelly {
namespace {

constexpr const char* kSigelly = "shelly/sigelly_real_pro3em63_fw2.0.0/";
constexpr const char* kBeta = "shelly/misc_real_captures/pro3em_fw2.0.0beta_Shelly.GetStatus.json";

/// Values behind rpc_EM.GetStatus_id_0.json and rpc_EMData.GetStatus_id_0.json. The device
/// sums unrounded phase values, so totals need the digits the capture rounded away.
Reading SigellyReading() {
    Reading r;
    r[Phase::A] = {228.3, 6.112, 1387.097, 1394.747, 1.00, 49.9, 457085.63, 0.0};
    r[Phase::B] = {226.3, 0.024, 0.0, 5.4, 0.0, 49.9, 239950.03, 10955.4151};
    r[Phase::C] = {230.1, 0.032, 0.0, 7.4, 0.0, 49.9, 241496.75, 11510.8451};
    return r;
}

/// Values behind the fw 2.0.0-beta Shelly.GetStatus (two dead phases).
Reading BetaReading() {
    Reading r;
    r[Phase::A] = {0.0, 0.028, 0.0, 0.0, 0.0, 0.0, 0.026, 0.0};
    r[Phase::B] = {0.0, 0.027, 0.0, 0.0, 0.0, 0.0, 0.026, 0.0};
    r[Phase::C] = {233.1, 1.137, 142.605, 264.956, 0.54, 50.0, 95884.058, 5123.04};
    return r;
}

/// The value of top-level key `key` in `json`, as the bytes it was written with.
std::string Member(const std::string& json, const std::string& key, const std::string& next) {
    auto start = json.find("\"" + key + "\":");
    auto end = json.find(",\"" + next + "\":", start);
    EXPECT_NE(start, std::string::npos) << key;
    EXPECT_NE(end, std::string::npos) << next;
    start += key.size() + 3;
    return json.substr(start, end - start);
}

std::vector<std::string> Keys(const std::string& json) {
    json_error_t error;
    JsonPtr root(json_loads(json.c_str(), JSON_PRESERVE_ORDER, &error));
    EXPECT_TRUE(root) << error.text << "\n" << json;
    std::vector<std::string> keys;
    const char* key;
    json_t* value;
    json_object_foreach(root.get(), key, value) keys.emplace_back(key);
    return keys;
}

TEST(ShellyRenderGoldenTest, EmGetStatusMatchesRealDevice) {
    std::string out;
    AppendEmStatus(out, SigellyReading());
    EXPECT_EQ(out, test::Fixture(std::string(kSigelly) + "rpc_EM.GetStatus_id_0.json"));
}

TEST(ShellyRenderGoldenTest, EmDataGetStatusMatchesRealDevice) {
    std::string out;
    AppendEmDataStatus(out, SigellyReading());
    EXPECT_EQ(out, test::Fixture(std::string(kSigelly) + "rpc_EMData.GetStatus_id_0.json"));
}

TEST(ShellyRenderGoldenTest, DeadPhasesMatchRealDevice) {
    std::string capture = test::Fixture(kBeta);
    std::string em, emdata;
    AppendEmStatus(em, BetaReading());
    AppendEmDataStatus(emdata, BetaReading());
    EXPECT_EQ(em, Member(capture, "em:0", "emdata:0"));
    EXPECT_EQ(emdata, Member(capture, "emdata:0", "eth"));
}

TEST(ShellyRenderGoldenTest, DeviceInfoMatchesRealDevice) {
    Identity identity = MakeIdentity({0xe0, 0x5a, 0x1b, 0x33, 0x31, 0xfc});
    identity.fw_id = "20240822-121054/1.4.3-g143ff62";
    identity.ver = "1.4.3";
    std::string out;
    AppendDeviceInfo(out, identity);
    std::string capture = test::Fixture(
        "shelly/misc_real_captures/pro3em_fw1.4.3_triphase_Shelly.GetDeviceInfo.json");
    // The person who pasted this capture ended the file with a newline; the device does not.
    if (capture.ends_with('\n')) capture.pop_back();
    EXPECT_EQ(out, capture);
}

TEST(ShellyRenderGoldenTest, TemperatureKeepsTheFirmwareSpaces) {
    std::string out;
    AppendTemperatureStatus(out, 46.05);
    EXPECT_EQ(out, test::Fixture(std::string(kSigelly) + "rpc_Temperature.GetStatus_id_0.json"));
    std::string capture = test::Fixture(std::string(kSigelly) + "rpc_Shelly.GetStatus.json");
    std::string in_status;
    AppendTemperatureStatus(in_status, 45.9);
    EXPECT_EQ(in_status, Member(capture, "temperature:0", "wifi"));
}

TEST(ShellyRenderGoldenTest, GetStatusHasTheRealComponentsInOrder) {
    std::string capture = test::Fixture(std::string(kSigelly) + "rpc_Shelly.GetStatus.json");
    Identity identity = MakeIdentity({0xe0, 0x8c, 0xfe, 0x96, 0xcc, 0xc4});
    SysInfo info{1786185039, "12:30", 443020, 1786184933, 147096, 7200, 45.9};
    std::string out;
    AppendStatus(out, identity, info, nullptr, false);
    // Same components; the meter parts byte-equal to the capture for the same values.
    EXPECT_EQ(Keys(out), Keys(capture));
    out.clear();
    Reading reading = SigellyReading();
    reading[Phase::A] = {228.6, 6.122, 1393.199, 1398.56, 1.00, 50.0, 457085.63, 0.0};
    reading[Phase::B] = {226.6, 0.024, 0.0, 5.4, 0.0, 50.0, 239950.03, 10955.4151};
    reading[Phase::C] = {230.6, 0.031, 0.0, 7.272, 0.0, 50.0, 241496.75, 11510.8451};
    AppendStatus(out, identity, info, &reading, true);
    EXPECT_EQ(Member(out, "em:0", "emdata:0"), Member(capture, "em:0", "emdata:0"));
    EXPECT_EQ(Member(out, "emdata:0", "eth"), Member(capture, "emdata:0", "eth"));
    EXPECT_EQ(Member(out, "temperature:0", "wifi"), Member(capture, "temperature:0", "wifi"));
}

TEST(ShellyRenderGoldenTest, SysStatusHasTheFirmwareKeyOrder) {
    std::string capture = test::Fixture(std::string(kSigelly) + "rpc_Sys.GetStatus.json");
    auto expected = Keys(capture);
    std::erase(expected, "alt"); // 2.0.0 only; the 1.6.1 order is otherwise the same
    Identity identity = MakeIdentity({0xe0, 0x8c, 0xfe, 0x96, 0xcc, 0xc4});
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
}

} // namespace
} // namespace meteremu::shelly
