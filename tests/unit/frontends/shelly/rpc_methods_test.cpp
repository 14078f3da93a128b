// SPDX-License-Identifier: MIT
#include "frontends/shelly/render.hpp"
#include "frontends/shelly/shelly_frontend.hpp"
#include "support/readings.hpp"
#include "util/json.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

using namespace std::chrono_literals;

class ShellyMethodsTest : public testing::Test {
protected:
    std::unique_ptr<Frontend> Make(OnStale mode) {
        state_ = std::make_unique<MeterState>(SiteLayout{}, FreshnessPolicy{10s, mode});
        ShellyOptions options;
        options.mac = MacAddress{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
        return shelly_frontend_plugin.create(options, {*state_, std::chrono::steady_clock::now()});
    }

    void Publish(double watts, Seconds age = 0s) {
        test::PublishAged(*state_, {230, 1, watts, 300, 0.5, 50, 1000, 2000}, age);
    }

    static RpcOutcome Call(Frontend& frontend, std::string_view method,
                           const char* params = nullptr) {
        JsonPtr json(params ? json_loads(params, 0, nullptr) : nullptr);
        return frontend.Call({method, json.get()});
    }

    static std::string Result(const RpcOutcome& outcome) {
        if (auto* error = std::get_if<RpcError>(&outcome))
            ADD_FAILURE() << "error " << error->code << ": " << error->message;
        auto* result = std::get_if<std::string>(&outcome);
        return result ? *result : "";
    }

    static RpcError Error(const RpcOutcome& outcome) {
        EXPECT_TRUE(std::holds_alternative<RpcError>(outcome));
        auto* error = std::get_if<RpcError>(&outcome);
        return error ? *error : RpcError{};
    }

    std::unique_ptr<MeterState> state_;
};

TEST_F(ShellyMethodsTest, MethodNamesIgnoreCase) {
    auto frontend = Make(OnStale::Last);
    Publish(100);
    std::string expected = Result(Call(*frontend, "EM.GetStatus", R"({"id":0})"));
    EXPECT_EQ(Result(Call(*frontend, "em.getstatus", R"({"id":0})")), expected);
    EXPECT_EQ(Result(Call(*frontend, "EM.GETSTATUS", R"({"id":0})")), expected);
    EXPECT_EQ(frontend->SourceId(), "shellypro3em-aabbccddeeff");
}

TEST_F(ShellyMethodsTest, UnknownMethodHasNoHandler) {
    auto frontend = Make(OnStale::Last);
    RpcError error = Error(Call(*frontend, "EM0.GetStatus"));
    EXPECT_EQ(error.code, 404);
    EXPECT_EQ(error.message, "No handler for EM0.GetStatus");
}

TEST_F(ShellyMethodsTest, ComponentIdIsChecked) {
    auto frontend = Make(OnStale::Last);
    Publish(100);
    for (const char* method : {"EM.GetStatus", "EMData.GetStatus"}) {
        EXPECT_EQ(Error(Call(*frontend, method)).code, -103);
        EXPECT_EQ(Error(Call(*frontend, method, R"({"id":"0"})")).code, -103);
        RpcError missing = Error(Call(*frontend, method, R"({"id":1})"));
        EXPECT_EQ(missing.code, -105);
        EXPECT_EQ(missing.message, "Argument 'id', value 1 not found!");
    }
}

TEST_F(ShellyMethodsTest, ResultsAreTheRenderedReading) {
    auto frontend = Make(OnStale::Silent);
    Publish(-321.5);
    auto reading = state_->Latest();
    std::string em, emdata, device;
    shelly::AppendEmStatus(em, *reading);
    shelly::AppendEmDataStatus(emdata, *reading);
    shelly::AppendDeviceInfo(device, shelly::MakeIdentity({0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}));
    EXPECT_EQ(Result(Call(*frontend, "EM.GetStatus", R"({"id":0})")), em);
    EXPECT_EQ(Result(Call(*frontend, "EMData.GetStatus", R"({"id":0})")), emdata);
    EXPECT_EQ(Result(Call(*frontend, "Shelly.GetDeviceInfo")), device);
    std::string status = Result(Call(*frontend, "Shelly.GetStatus"));
    EXPECT_NE(status.find("\"em:0\":" + em), std::string::npos);
    EXPECT_NE(status.find("\"emdata:0\":" + emdata), std::string::npos);
}

TEST_F(ShellyMethodsTest, SilentStaleDataIsAnError) {
    auto frontend = Make(OnStale::Silent);
    RpcError none = Error(Call(*frontend, "EM.GetStatus", R"({"id":0})"));
    EXPECT_EQ(none.code, -114);
    EXPECT_EQ(none.message, "No reading from the data source yet");
    Publish(100, 11s);
    RpcError stale = Error(Call(*frontend, "EM.GetStatus", R"({"id":0})"));
    EXPECT_EQ(stale.code, -114);
    EXPECT_NE(stale.message.find("more than 10 s"), std::string::npos);
    EXPECT_EQ(Error(Call(*frontend, "EMData.GetStatus", R"({"id":0})")).code, -114);
    // Shelly.GetStatus still answers: identity and sys, with the meter marked failed.
    std::string status = Result(Call(*frontend, "Shelly.GetStatus"));
    EXPECT_NE(status.find("\"total_act_power\":null"), std::string::npos);
    EXPECT_NE(status.find("\"power_meter_failure\""), std::string::npos);
    EXPECT_NE(status.find("\"mac\":\"AABBCCDDEEFF\""), std::string::npos);
}

TEST_F(ShellyMethodsTest, ZeroModeZeroesPowerButNeverInventsCounters) {
    auto frontend = Make(OnStale::Zero);
    std::string em = Result(Call(*frontend, "EM.GetStatus", R"({"id":0})"));
    EXPECT_NE(em.find("\"total_act_power\":0.000"), std::string::npos);
    EXPECT_EQ(Error(Call(*frontend, "EMData.GetStatus", R"({"id":0})")).code, -114);
    Publish(750, 30s);
    em = Result(Call(*frontend, "EM.GetStatus", R"({"id":0})"));
    EXPECT_NE(em.find("\"a_act_power\":0.0,"), std::string::npos);
    EXPECT_NE(em.find("\"a_voltage\":230.0,"), std::string::npos);
    std::string emdata = Result(Call(*frontend, "EMData.GetStatus", R"({"id":0})"));
    EXPECT_NE(emdata.find("\"a_total_act_energy\":1000.00"), std::string::npos);
}

TEST_F(ShellyMethodsTest, LastModeKeepsServingTheLastValues) {
    auto frontend = Make(OnStale::Last);
    Publish(750, 30s);
    std::string em = Result(Call(*frontend, "EM.GetStatus", R"({"id":0})"));
    EXPECT_NE(em.find("\"a_act_power\":750.0,"), std::string::npos);
}

} // namespace
} // namespace meteremu
