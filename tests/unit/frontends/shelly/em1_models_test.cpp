// SPDX-License-Identifier: MIT
// model = "proem50" and "emg3": the two-channel EM1 meters, compared with a real Pro EM-50
// (evcc's captured Shelly.GetStatus) and with the EM Gen3's documented differences
// (docs/protocols/shelly-em1.md).
#include "config/config_loader.hpp"
#include "config/diagnostics.hpp"
#include "frontends/shelly/shelly_frontend.hpp"
#include "support/shelly.hpp"
#include "unit/frontends/shelly/captures.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

using test::Member;

constexpr const char* kCapture = "meters/shelly-proem50_Shelly.GetStatus_evcc.json";
constexpr MacAddress kEvccMac{0x08, 0xf9, 0xe0, 0xe8, 0xaf, 0x2c};

/// Phase a carries the capture's em1:0 and its em1data:0 counters.
Reading CaptureReading() {
    Reading r;
    r[Phase::A] = {226.9, 1.473, -332.2, 335.0, 0.99, 50.0, 1264.15, 144792.28};
    r[Phase::B] = {227.0, 0.428, -38.5, 97.4, 0.38, 50.0, 48002.83, 33241.59};
    r[Phase::C] = {228.0, 1.0, 100.04, 120.0, 0.83, 50.0, 10.0, 20.0};
    r.received_at = std::chrono::steady_clock::now();
    return r;
}

struct Em1Meter {
    std::unique_ptr<MeterState> state;
    std::unique_ptr<JsonRpcFrontend> frontend;

    Em1Meter(shelly::Model model, shelly::Channel0 channel0, OnStale on_stale = OnStale::Silent) {
        state = std::make_unique<MeterState>(SiteLayout{},
                                             FreshnessPolicy{std::chrono::seconds(10), on_stale});
        ShellyOptions options;
        options.mac = kEvccMac;
        options.model = model;
        options.channel0 = channel0;
        frontend = CreateShellyFrontend(options, {*state, std::chrono::steady_clock::now()});
    }

    std::string Result(std::string_view method, const char* params = nullptr) {
        return test::ResultOf(test::CallWith(*frontend, method, params));
    }
    RpcError Error(std::string_view method, const char* params = nullptr) {
        return test::ErrorOf(test::CallWith(*frontend, method, params));
    }
};

TEST(ShellyProEm50Test, DeviceInfoIsTheProEm50sWithoutProfile) {
    Em1Meter meter(shelly::Model::ProEm50, shelly::Channel0::Total);
    EXPECT_EQ(meter.Result("Shelly.GetDeviceInfo"),
              R"({"name":null,"id":"shellyproem50-08f9e0e8af2c","mac":"08F9E0E8AF2C","slot":0,)"
              R"("model":"SPEM-002CEBEU50","gen":2,"fw_id":"20250508-110717/1.6.1-g8dbd358",)"
              R"("ver":"1.6.1","app":"ProEM50","auth_en":false,"auth_domain":null})");
    EXPECT_EQ(meter.frontend->SourceId(), "shellyproem50-08f9e0e8af2c");
}

TEST(ShellyProEm50Test, StatusHasTheRealDevicesComponentsAndChannelBytes) {
    Em1Meter meter(shelly::Model::ProEm50, shelly::Channel0::A);
    meter.state->Publish(CaptureReading());
    std::string capture = test::Fixture(kCapture);
    std::string status = meter.Result("Shelly.GetStatus");
    EXPECT_EQ(test::Keys(status), test::Keys(capture));
    EXPECT_EQ(Member(status, "em1:0", "em1:1"), Member(capture, "em1:0", "em1:1"));
    EXPECT_EQ(Member(status, "em1data:0", "em1data:1"), Member(capture, "em1data:0", "em1data:1"));
    EXPECT_EQ(meter.Result("EM1.GetStatus", R"({"id":0})"), Member(capture, "em1:0", "em1:1"));
    EXPECT_EQ(meter.Result("EM1Data.GetStatus", R"({"id":0})"),
              Member(capture, "em1data:0", "em1data:1"));
    // The switch's shape and the firmware's spaces; the temperature is the emulator's.
    EXPECT_EQ(test::Mask(Member(status, "switch:0", "sys"), {"tC", "tF", "source"}),
              test::Mask(Member(capture, "switch:0", "sys"), {"tC", "tF", "source"}));
}

TEST(ShellyProEm50Test, ChannelZeroCarriesTheNetTotalAndChannelOneIdles) {
    Em1Meter meter(shelly::Model::ProEm50, shelly::Channel0::Total);
    meter.state->Publish(CaptureReading());
    // -332.2 - 38.5 + 100.04 = -270.66 W over 552.4 VA; currents summed, phase a's voltage.
    EXPECT_EQ(meter.Result("EM1.GetStatus", R"({"id":0})"),
              R"({"id":0,"current":2.901,"voltage":226.9,"act_power":-270.7,"aprt_power":552.4,)"
              R"("pf":-0.49,"freq":50.0,"calibration":"factory"})");
    EXPECT_EQ(meter.Result("EM1.GetStatus", R"({"id":1})"),
              R"({"id":1,"current":0.000,"voltage":226.9,"act_power":0.0,"aprt_power":0.0,)"
              R"("pf":0.00,"freq":50.0,"calibration":"factory"})");
    EXPECT_EQ(meter.Result("EM1Data.GetStatus", R"({"id":0})"),
              R"({"id":0,"total_act_energy":49276.98,"total_act_ret_energy":178053.87})");
    EXPECT_EQ(meter.Result("EM1Data.GetStatus", R"({"id":1})"),
              R"({"id":1,"total_act_energy":0.00,"total_act_ret_energy":0.00})");
}

TEST(ShellyProEm50Test, BadInputAnswersAsThePro3EmDoes) {
    Em1Meter meter(shelly::Model::ProEm50, shelly::Channel0::Total);
    EXPECT_EQ(meter.Error("EM1.GetStatus", R"({"id":0})").code, rpc_code::kUnavailable);
    meter.state->Publish(CaptureReading());
    EXPECT_EQ(meter.Error("EM1.GetStatus", R"({"id":2})").code, rpc_code::kNotFound);
    EXPECT_EQ(meter.Error("EM1.GetStatus").code, rpc_code::kInvalidArgument);
    EXPECT_EQ(meter.Error("EM1.GetStatus", R"({"id":"x"})").code, rpc_code::kInvalidArgument);
    EXPECT_EQ(meter.Error("EM.GetStatus", R"({"id":0})").code, rpc_code::kNoHandler);
    EXPECT_EQ(meter.Error("Temperature.GetStatus", R"({"id":0})").code, rpc_code::kNoHandler);
}

TEST(ShellyProEm50Test, StaleUnderZeroReadsZeroPower) {
    Em1Meter meter(shelly::Model::ProEm50, shelly::Channel0::Total, OnStale::Zero);
    Reading old = CaptureReading();
    old.received_at = std::chrono::steady_clock::now() - std::chrono::seconds(60);
    meter.state->Publish(old);
    std::string status = meter.Result("EM1.GetStatus", R"({"id":0})");
    EXPECT_NE(status.find(R"("current":0.000,"voltage":226.9,"act_power":0.0,)"), std::string::npos)
        << status;
}

TEST(ShellyProEm50Test, StaleUnderSilentIsUnavailableAndUnderLastKeepsThePower) {
    Reading old = CaptureReading();
    old.received_at = std::chrono::steady_clock::now() - std::chrono::seconds(60);
    Em1Meter silent(shelly::Model::ProEm50, shelly::Channel0::Total, OnStale::Silent);
    silent.state->Publish(old);
    EXPECT_EQ(silent.Error("EM1.GetStatus", R"({"id":0})").code, rpc_code::kUnavailable);
    Em1Meter last(shelly::Model::ProEm50, shelly::Channel0::Total, OnStale::Last);
    last.state->Publish(old);
    std::string status = last.Result("EM1.GetStatus", R"({"id":0})");
    EXPECT_NE(status.find(R"("act_power":-270.7,)"), std::string::npos) << status;
}

TEST(ShellyEmGen3Test, VoltageComesFirstAndSrcSaysEmGen3) {
    Em1Meter meter(shelly::Model::EmGen3, shelly::Channel0::A);
    meter.state->Publish(CaptureReading());
    EXPECT_EQ(meter.frontend->SourceId(), "shellyemg3-08f9e0e8af2c");
    EXPECT_EQ(meter.Result("EM1.GetStatus", R"({"id":0})"),
              R"({"id":0,"voltage":226.9,"current":1.473,"act_power":-332.2,"aprt_power":335.0,)"
              R"("pf":0.99,"freq":50.0,"calibration":"factory"})");
    std::string info = meter.Result("Shelly.GetDeviceInfo");
    EXPECT_NE(info.find(R"("model":"S3EM-002CXCEU","gen":3,)"), std::string::npos) << info;
    EXPECT_EQ(info.find("profile"), std::string::npos) << info;
    // Gen 3: Bluetooth home, no Ethernet, no Modbus.
    EXPECT_EQ(test::Keys(meter.Result("Shelly.GetStatus")),
              (std::vector<std::string>{"ble", "bthome", "cloud", "em1:0", "em1:1", "em1data:0",
                                        "em1data:1", "mqtt", "switch:0", "sys", "wifi", "ws"}));
    EXPECT_EQ(meter.Error("Eth.GetStatus").code, rpc_code::kNoHandler);
}

TEST(ShellyEmGen3Test, UnavailableChannelKeepsTheGen3Order) {
    Em1Meter meter(shelly::Model::EmGen3, shelly::Channel0::Total);
    std::string status = meter.Result("Shelly.GetStatus");
    EXPECT_NE(status.find(R"("em1:1":{"id":1,"voltage":null,"current":null,)"), std::string::npos)
        << status;
}

TEST(ShellyEm1ModelsTest, MdnsNamesTheModel) {
    Em1Meter meter(shelly::Model::ProEm50, shelly::Channel0::Total);
    auto services = meter.frontend->MdnsServices(80);
    ASSERT_EQ(services.size(), 2U);
    EXPECT_EQ(services[0], (MdnsService{"_shelly._tcp",
                                        "shellyproem50-08f9e0e8af2c",
                                        "ShellyProEM50-08F9E0E8AF2C",
                                        80,
                                        {"gen=2", "app=ProEM50", "ver=1.6.1"}}));
    Em1Meter gen3(shelly::Model::EmGen3, shelly::Channel0::Total);
    EXPECT_EQ(
        gen3.frontend->MdnsServices(80)[1],
        (MdnsService{
            "_http._tcp", "shellyemg3-08f9e0e8af2c", "ShellyEMG3-08F9E0E8AF2C", 80, {"gen=3"}}));
}

} // namespace
} // namespace meteremu

namespace meteremu {
namespace {

constexpr const char* kBackend = "[backend]\ntype = \"demo\"\n";

std::vector<std::uint16_t> UdpPortsOf(const std::string& keys) {
    Config config = ParseConfig("[frontend]\ntype = \"shelly\"\n" + keys + kBackend, "test.toml");
    return config.frontends.at(0).listen.udp_ports;
}

TEST(ShellyModelConfigTest, EachModelListensOnItsOwnUdpPortByDefault) {
    EXPECT_EQ(UdpPortsOf(""), (std::vector<std::uint16_t>{1010, 2220}));
    EXPECT_EQ(UdpPortsOf("model = \"proem50\"\n"), (std::vector<std::uint16_t>{2223}));
    EXPECT_EQ(UdpPortsOf("model = \"emg3\"\n"), (std::vector<std::uint16_t>{2222}));
    EXPECT_EQ(UdpPortsOf("model = \"emg3\"\nudp_ports = [1010, 2222]\n"),
              (std::vector<std::uint16_t>{1010, 2222}));
}

TEST(ShellyModelConfigTest, RefusesAnUnknownModelAndAProfileWithoutOne) {
    auto refused = [](const std::string& keys) {
        try {
            ParseConfig("[frontend]\ntype = \"shelly\"\n" + keys + kBackend, "test.toml");
        } catch (const ConfigInvalid& invalid) {
            return std::string(invalid.what());
        }
        return std::string("accepted");
    };
    EXPECT_NE(refused("model = \"pro4em\"\n")
                  .find("test.toml:3:9: frontend.model: expected "
                        "\"pro3em\""),
              std::string::npos)
        << refused("model = \"pro4em\"\n");
    EXPECT_NE(refused("model = \"emg3\"\nprofile = \"monophase\"\n").find("frontend.profile: only"),
              std::string::npos);
    EXPECT_NE(refused("model = \"emg3\"\nchannel0 = \"d\"\n").find("frontend.channel0: expected"),
              std::string::npos);
}

} // namespace
} // namespace meteremu
