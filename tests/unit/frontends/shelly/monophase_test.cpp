// SPDX-License-Identifier: MIT
// profile = "monophase": the three CT channels as em1:0..2 and em1data:0..2, compared with
// a real Pro 3EM in the monophase profile (fw 1.4.4, evcc's captured strings).
#include "frontends/shelly/shelly_frontend.hpp"
#include "support/shelly.hpp"
#include "unit/frontends/shelly/captures.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace meteremu {
namespace {

using namespace std::chrono_literals;
using test::Member;

constexpr const char* kEvcc = "shelly/evcc_real_pro3em_monophase_fw1.4.4/";

/// The values behind evcc's Shelly.GetStatus capture.
Reading EvccReading() {
    Reading r;
    r[Phase::A] = {242.8, 3.705, 598.9, 900.6, 0.66, 50.0, 3458.24, 1605.24};
    r[Phase::B] = {242.8, 0.194, 0.0, 47.2, 0.0, 50.0, 2768.67, 25.49};
    r[Phase::C] = {242.8, 0.027, 0.0, 6.6, 0.0, 50.0, 3.09, 0.71};
    r.received_at = std::chrono::steady_clock::now();
    return r;
}

class ShellyMonophaseTest : public testing::Test {
protected:
    void SetUp() override {
        auto shelly = test::MakeShelly(OnStale::Silent, {0xfc, 0xe8, 0xc0, 0xdb, 0xa9, 0x00},
                                       shelly::Profile::Monophase);
        state_ = std::move(shelly.state);
        frontend_ = std::move(shelly.frontend);
    }

    RpcOutcome Call(std::string_view method, const char* params = nullptr) {
        return test::CallWith(*frontend_, method, params);
    }

    std::string Result(std::string_view method, const char* params = nullptr) {
        return test::ResultOf(Call(method, params));
    }

    std::unique_ptr<MeterState> state_;
    std::unique_ptr<JsonRpcFrontend> frontend_;
};

TEST_F(ShellyMonophaseTest, DeviceInfoSaysMonophase) {
    // The capture's unit booted from slot 1 on 1.4.4; ours reports slot 0 and 1.6.1.
    std::string capture =
        test::Edit(test::Pasted(std::string(kEvcc) + "Shelly.GetDeviceInfo.json"),
                   {{"\"slot\":1", "\"slot\":0"},
                    {"20241011-114455/1.4.4-g6d2a586", "20250508-110717/1.6.1-g8dbd358"},
                    {"\"ver\":\"1.4.4\"", "\"ver\":\"1.6.1\""}});
    EXPECT_EQ(Result("Shelly.GetDeviceInfo"), capture);
}

TEST_F(ShellyMonophaseTest, MeterComponentsMatchTheRealDevice) {
    state_->Publish(EvccReading());
    std::string capture = test::Fixture(std::string(kEvcc) + "Shelly.GetStatus.json");
    std::string status = Result("Shelly.GetStatus");
    EXPECT_EQ(test::Keys(status), test::Keys(capture));
    const char* keys[] = {"em1:0", "em1:1", "em1:2", "em1data:0", "em1data:1", "em1data:2", "eth"};
    for (int i = 0; i < 6; ++i) {
        EXPECT_EQ(Member(status, keys[i], keys[i + 1]), Member(capture, keys[i], keys[i + 1]))
            << keys[i];
        std::string id = std::string(R"({"id":)") + keys[i][std::strlen(keys[i]) - 1] + "}";
        const char* method = i < 3 ? "EM1.GetStatus" : "EM1Data.GetStatus";
        EXPECT_EQ(Result(method, id.c_str()), Member(capture, keys[i], keys[i + 1])) << keys[i];
    }
}

TEST_F(ShellyMonophaseTest, Em1StatusMatchesTheMqttCaptureOf133) {
    Reading reading;
    reading[Phase::A] = {236.6, 4.452, 795.6, 1054.9, 0.75, 50.0, 0, 0};
    reading.received_at = std::chrono::steady_clock::now();
    state_->Publish(reading);
    // fw 1.3.3 printed a space before "freq"; 1.4.4 (above) no longer does.
    std::string capture = test::Edit(
        test::Pasted("shelly/misc_real_captures/pro3em_fw1.3.3_monophase_em1_0_status_mqtt.json"),
        {{", \"freq\"", ",\"freq\""}});
    EXPECT_EQ(Result("EM1.GetStatus", R"({"id":0})"), capture);
}

TEST_F(ShellyMonophaseTest, ConfigAndComponentsPerChannel) {
    // EM1.GetConfig is documented, not captured: reverse is a boolean here.
    EXPECT_EQ(Result("EM1.GetConfig", R"({"id":1})"),
              R"({"id":1,"name":null,"reverse":false,"ct_type":"120A"})");
    EXPECT_EQ(Result("EM1Data.GetConfig", R"({"id":2})"), "{}");
    std::string config = Result("Shelly.GetConfig");
    EXPECT_NE(config.find(R"("profile":"monophase")"), std::string::npos);
    EXPECT_EQ(test::Keys(config), test::Keys(Result("Shelly.GetStatus")));
    std::string components = Result("Shelly.GetComponents");
    EXPECT_NE(components.find(R"({"key":"em1data:2","status":)"), std::string::npos);
    EXPECT_NE(components.find(R"(,"total":16})"), std::string::npos) << components;
}

TEST_F(ShellyMonophaseTest, OnlyOneProfileIsServed) {
    for (const char* method : {"EM.GetStatus", "EMData.GetStatus", "EM.GetConfig"}) {
        RpcOutcome outcome = Call(method, R"({"id":0})");
        ASSERT_TRUE(std::holds_alternative<RpcError>(outcome)) << method;
        EXPECT_EQ(std::get<RpcError>(outcome).code, 404) << method;
    }
    RpcOutcome beyond = Call("EM1.GetStatus", R"({"id":3})");
    ASSERT_TRUE(std::holds_alternative<RpcError>(beyond));
    EXPECT_EQ(std::get<RpcError>(beyond).code, -105);
    EXPECT_EQ(std::get<RpcError>(beyond).message, "Argument 'id', value 3 not found!");
    std::string methods = Result("Shelly.ListMethods");
    EXPECT_NE(methods.find("\"EM1.GetStatus\""), std::string::npos);
    EXPECT_EQ(methods.find("\"EM.GetStatus\""), std::string::npos);
}

TEST_F(ShellyMonophaseTest, NoDataMeansErrorsNotNumbers) {
    RpcOutcome outcome = Call("EM1.GetStatus", R"({"id":0})");
    ASSERT_TRUE(std::holds_alternative<RpcError>(outcome));
    EXPECT_EQ(std::get<RpcError>(outcome).code, rpc_code::kUnavailable);
    std::string status = Result("Shelly.GetStatus");
    EXPECT_NE(status.find(R"("em1:2":{"id":2,"current":null,)"), std::string::npos) << status;
    EXPECT_NE(status.find(R"("total_act_energy":null,"total_act_ret_energy":null,"errors")"),
              std::string::npos);
}

} // namespace
} // namespace meteremu
