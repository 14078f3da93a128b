// SPDX-License-Identifier: MIT
// Every method of the emulated Pro 3EM, through the dispatcher, compared byte for byte with
// the real captures. Captures of the 63 A variant on firmware 2.0.0 are adapted to the
// SPEM-003CEBEU on 1.6.1 by the edits listed per test: each names a real difference between
// firmware versions (keys 2.0.0 added, values 1.6.1 captures show) or a value of this device.
#include "frontends/jsonrpc/rpc_http.hpp"
#include "frontends/shelly/shelly_frontend.hpp"
#include "support/shelly.hpp"
#include "unit/frontends/shelly/captures.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

using namespace std::chrono_literals;
using test::Adapted;
using test::Edits;
using test::Mask;
using test::Member;
using test::Sigelly;

/// Values of a running device that differ between two devices or two moments.
const std::vector<std::string> kSysValues{
    "time",    "unixtime", "last_sync_ts", "uptime",       "ram_size",   "ram_free", "ram_min_free",
    "fs_free", "cfg_rev",  "schedule_rev", "reset_reason", "utc_offset", "tC",       "tF"};

/// 2.0.0 adds "alt" (add-on firmware offers) to the sys status; 1.x has none.
const Edits kNoAlt{{",\"alt\":{\"Pro3EMProAddon\":{\"name\":\"Shelly Pro 3 EM\",\"desc\":\"Pro 3 "
                    "EM with Pro Sensor Addon\",\"stable\":{\"version\":\"2.0.0\",\"build_id\":"
                    "\"20260710-101208/2.0.0-g87fbfa4\"}}}",
                    ""}};

/// 1.6.1 config values and keys where 2.0.0 differs (HA fixture pro_3em.json, fw 1.6.1), and
/// this device's unset values (no location, no Wi-Fi network).
const Edits kConfigEdits{
    {"\"ble\":{\"rpc\":{\"enable\":false}}",
     "\"ble\":{\"enable\":false,\"rpc\":{\"enable\":true}}"},
    {"shelly-234-eu.shelly.cloud:6022/jrpc", "iot.shelly.cloud:6012/jrpc"},
    {",\"alarms\":{\"a\":{\"voltage\":[null,null],\"current\":[null,null],\"power\":[null,null]},"
     "\"b\":{\"voltage\":[null,null],\"current\":[null,null],\"power\":[null,null]},\"c\":{"
     "\"voltage\":[null,null],\"current\":[null,null],\"power\":[null,null]}}",
     ""},
    {"\"eco_mode\":true", "\"eco_mode\":false"},
    {",\"tls_check_cert_validity_time\":true,\"enhanced_security\":false", ""},
    {"{\"tz\":\"Europe/Amsterdam\",\"lat\":51.935900,\"lon\":4.366600}",
     "{\"tz\":null,\"lat\":null,\"lon\":null}"},
    {"\"websocket\":{\"enable\":true},\"file_log\":{\"enable\":false},",
     "\"websocket\":{\"enable\":false},"},
    {"{\"device_revision\":\"0-36\"}", "{}"},
    {"time.cloudflare.com", "time.google.com"},
    {"\"cfg_rev\":36", "\"cfg_rev\":10"},
    {"\"ssid\":\"WCG-SS-IoT\"", "\"ssid\":null"}};

/// The device answers on Ethernet without reporting an address (1.6.1 form of "eth").
const Edits kNoEthAddress{
    {"{\"ip\":\"192.168.30.36\",\"ip6\":[\"fe80::e28c:feff:fe96:ccc7\",\"2a02:a45f:9ca8:30:"
     "e28c:feff:fe96:ccc7\"]}",
     "{\"ip\":null,\"ip6\":null}"}};

class ShellyMethodsGoldenTest : public testing::Test {
protected:
    void SetUp() override {
        auto shelly = test::MakeShelly(OnStale::Silent, test::kSigellyMac);
        state_ = std::move(shelly.state);
        frontend_ = std::move(shelly.frontend);
    }

    void Publish(Reading reading) {
        reading.received_at = std::chrono::steady_clock::now();
        state_->Publish(reading);
    }

    std::string Result(std::string_view method, const char* params = nullptr) {
        return test::ResultOf(test::CallWith(*frontend_, method, params));
    }

    std::unique_ptr<MeterState> state_;
    std::unique_ptr<JsonRpcFrontend> frontend_;
};

TEST_F(ShellyMethodsGoldenTest, GetDeviceInfo) {
    // 1.x has neither "provision" nor "enhanced_security"; this device boots from slot 0.
    std::string expected =
        Adapted(Sigelly("rpc_Shelly.GetDeviceInfo.json"),
                {{"\"slot\":1", "\"slot\":0"},
                 {"\"ver\":\"2.0.0\"", "\"ver\":\"1.6.1\""},
                 {",\"provision\":\"complete\",\"enhanced_security\":false", ""}});
    EXPECT_EQ(Result("Shelly.GetDeviceInfo"), expected);
    EXPECT_EQ(Sigelly("shelly.json"), Sigelly("rpc_Shelly.GetDeviceInfo.json"));
}

TEST_F(ShellyMethodsGoldenTest, GetDeviceInfoIdent) {
    // Real ident reply (Pro Dual Cover, fw 1.4.4): key, batch, fw_sbits right after slot.
    std::string plain = Result("Shelly.GetDeviceInfo");
    std::string ident = Result("Shelly.GetDeviceInfo", R"({"ident":true})");
    EXPECT_EQ(test::Keys(ident),
              (std::vector<std::string>{"name", "id", "mac", "slot", "key", "batch", "fw_sbits",
                                        "model", "gen", "fw_id", "ver", "app", "auth_en",
                                        "auth_domain", "profile"}));
    std::string without = std::regex_replace(
        ident, std::regex(R"(,"key":"[0-9a-f]{32}","batch":"[0-9]{4}-Broadwell","fw_sbits":"04")"),
        "");
    EXPECT_EQ(without, plain);
    EXPECT_EQ(Result("Shelly.GetDeviceInfo", R"({"ident":false})"), plain);
}

TEST_F(ShellyMethodsGoldenTest, GetStatus) {
    Publish(test::SigellyStatusReading());
    // 1.4.4 and 1.6.1 report Bluetooth off as an error of "bthome"; 2.0.0 prints {}.
    std::string expected =
        Adapted(Sigelly("rpc_Shelly.GetStatus.json"),
                {{"\"bthome\":{}", "\"bthome\":{\"errors\":[\"bluetooth_disabled\"]}"}});
    expected = test::Edit(test::Edit(expected, kNoAlt), kNoEthAddress);
    EXPECT_EQ(Mask(Result("Shelly.GetStatus"), kSysValues), Mask(expected, kSysValues));
}

TEST_F(ShellyMethodsGoldenTest, GetConfig) {
    std::string expected = Adapted(Sigelly("rpc_Shelly.GetConfig.json"), kConfigEdits);
    EXPECT_EQ(Result("Shelly.GetConfig"), expected);
}

TEST_F(ShellyMethodsGoldenTest, ComponentConfigsAreTheMembersOfGetConfig) {
    std::string config = Adapted(Sigelly("rpc_Shelly.GetConfig.json"), kConfigEdits);
    const std::vector<std::tuple<const char*, const char*, const char*, const char*>> cases{
        {"BLE.GetConfig", nullptr, "ble", "bthome"},
        {"BTHome.GetConfig", nullptr, "bthome", "cloud"},
        {"Cloud.GetConfig", nullptr, "cloud", "em:0"},
        {"EM.GetConfig", R"({"id":0})", "em:0", "emdata:0"},
        {"EMData.GetConfig", R"({"id":0})", "emdata:0", "eth"},
        {"Eth.GetConfig", nullptr, "eth", "modbus"},
        {"Modbus.GetConfig", nullptr, "modbus", "mqtt"},
        {"Mqtt.GetConfig", nullptr, "mqtt", "sys"},
        {"Sys.GetConfig", nullptr, "sys", "temperature:0"},
        {"Temperature.GetConfig", R"({"id":0})", "temperature:0", "wifi"},
        {"Wifi.GetConfig", nullptr, "wifi", "ws"},
    };
    for (const auto& [method, params, key, next] : cases)
        EXPECT_EQ(Result(method, params), Member(config, key, next)) << method;
    EXPECT_EQ(Result("WS.GetConfig"), R"({"enable":false,"server":null,"ssl_ca":"ca.pem"})");
    EXPECT_TRUE(config.ends_with(R"("ws":{"enable":false,"server":null,"ssl_ca":"ca.pem"}})"));
    EXPECT_EQ(Result("EM.GetConfig", R"({"id":0})"),
              Adapted(Sigelly("rpc_EM.GetConfig_id_0.json"), {kConfigEdits[2]}));
    EXPECT_EQ(Result("EMData.GetConfig", R"({"id":0})"), Sigelly("rpc_EMData.GetConfig_id_0.json"));
}

TEST_F(ShellyMethodsGoldenTest, MeterStatus) {
    Publish(test::SigellyEmReading());
    EXPECT_EQ(Result("EM.GetStatus", R"({"id":0})"), Sigelly("rpc_EM.GetStatus_id_0.json"));
    EXPECT_EQ(Result("EMData.GetStatus", R"({"id":0})"), Sigelly("rpc_EMData.GetStatus_id_0.json"));
}

TEST_F(ShellyMethodsGoldenTest, ComponentStatus) {
    Publish(test::SigellyEmReading());
    for (const char* method : {"Cloud.GetStatus", "MQTT.GetStatus", "Ws.GetStatus",
                               "Modbus.GetStatus", "Wifi.GetStatus"})
        EXPECT_EQ(Result(method), Sigelly(std::string("rpc_") + method + ".json")) << method;
    EXPECT_EQ(Result("BLE.GetStatus"), Sigelly("rpc_Ble.GetStatus.json"));
    EXPECT_EQ(Result("Eth.GetStatus"),
              test::Edit(Sigelly("rpc_Eth.GetStatus.json"), kNoEthAddress));
    EXPECT_EQ(Result("BTHome.GetStatus"), R"({"errors":["bluetooth_disabled"]})");
    EXPECT_EQ(Mask(Result("Temperature.GetStatus", R"({"id":0})"), kSysValues),
              Mask(Sigelly("rpc_Temperature.GetStatus_id_0.json"), kSysValues));
    EXPECT_EQ(Mask(Result("Sys.GetStatus"), kSysValues),
              Mask(Adapted(Sigelly("rpc_Sys.GetStatus.json"), kNoAlt), kSysValues));
}

TEST_F(ShellyMethodsGoldenTest, ListMethodsIsTheRealListOfWhatIsImplemented) {
    std::string result = Result("Shelly.ListMethods");
    std::vector<std::string> ours, real_subset;
    json_error_t error;
    JsonPtr mine(json_loads(result.c_str(), 0, &error));
    JsonPtr real(json_loads(Sigelly("rpc_Shelly.ListMethods.json").c_str(), 0, &error));
    ASSERT_TRUE(mine && real);
    size_t index;
    json_t* name;
    json_array_foreach(json_object_get(mine.get(), "methods"), index, name)
        ours.emplace_back(json_string_value(name));
    json_array_foreach(json_object_get(real.get(), "methods"), index, name) {
        std::string text = json_string_value(name);
        if (std::find(ours.begin(), ours.end(), text) != ours.end()) real_subset.push_back(text);
    }
    EXPECT_EQ(ours, real_subset); // same names, same casing, same order
    for (const char* required :
         {"Shelly.GetDeviceInfo", "Shelly.GetStatus",     "Shelly.GetConfig",
          "Shelly.ListMethods",   "Shelly.GetComponents", "Sys.GetStatus",
          "Sys.GetConfig",        "EM.GetStatus",         "EM.GetConfig",
          "EM.GetCTTypes",        "EMData.GetStatus",     "EMData.GetConfig",
          "EMData.GetRecords",    "EMData.GetData",       "Temperature.GetStatus",
          "Wifi.GetStatus",       "Eth.GetStatus",        "Cloud.GetStatus",
          "Mqtt.GetStatus",       "WS.GetStatus",         "BLE.GetStatus",
          "Modbus.GetStatus",     "Script.List"})
        EXPECT_NE(std::find(ours.begin(), ours.end(), required), ours.end()) << required;
    for (const auto& method : ours) {
        JsonPtr id(json_pack("{si}", "id", 0));
        RpcOutcome outcome = frontend_->Call({method, id.get()}).outcome;
        auto* failure = std::get_if<RpcError>(&outcome);
        EXPECT_TRUE(!failure || failure->code == rpc_code::kUnavailable) << method;
    }
}

TEST_F(ShellyMethodsGoldenTest, GetComponentsDynamicOnly) {
    // aioshelly's fixture of a device without virtual components, pretty-printed there.
    JsonPtr fixture(json_loads(
        test::Fixture("shelly/aioshelly_shellymini1gen4_Shelly.GetComponents_dynamic_only.json")
            .c_str(),
        0, nullptr));
    ASSERT_TRUE(fixture);
    json_object_set_new(fixture.get(), "cfg_rev", json_integer(10));
    JsonText expected(json_dumps(fixture.get(), JSON_COMPACT | JSON_PRESERVE_ORDER));
    EXPECT_EQ(Result("Shelly.GetComponents", R"({"dynamic_only":true})"), expected.get());
}

TEST_F(ShellyMethodsGoldenTest, ErrorsAsARealDevice) {
    RpcOutcome outcome = frontend_->Call({"EM0.GetStatus", nullptr}).outcome;
    ASSERT_TRUE(std::holds_alternative<RpcError>(outcome));
    std::string body = RenderRpcError(std::get<RpcError>(outcome));
    EXPECT_EQ(body,
              test::Pasted("shelly/misc_real_captures/gen2_error_unknown_method_GET_rpc.json"));
}

} // namespace
} // namespace meteremu
