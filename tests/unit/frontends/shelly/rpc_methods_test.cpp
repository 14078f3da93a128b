// SPDX-License-Identifier: MIT
#include "frontends/shelly/render.hpp"
#include "frontends/shelly/shelly_frontend.hpp"
#include "frontends/shelly/sys_info.hpp"
#include "support/readings.hpp"
#include "support/shelly.hpp"
#include "util/json.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <regex>
#include <thread>

namespace meteremu {
namespace {

using namespace std::chrono_literals;
using test::CallWith;
using test::ErrorOf;
using test::ResultOf;

class ShellyMethodsTest : public testing::Test {
protected:
    std::unique_ptr<JsonRpcFrontend> Make(OnStale mode) {
        auto shelly = test::MakeShelly(mode, {0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff});
        state_ = std::move(shelly.state);
        return std::move(shelly.frontend);
    }

    void Publish(double watts, Seconds age = 0s) {
        test::PublishAged(*state_, {230, 1, watts, 300, 0.5, 50, 1000, 2000}, age);
    }

    std::unique_ptr<MeterState> state_;
};

TEST_F(ShellyMethodsTest, MethodNamesIgnoreCase) {
    auto frontend = Make(OnStale::Last);
    Publish(100);
    std::string expected = ResultOf(CallWith(*frontend, "EM.GetStatus", R"({"id":0})"));
    EXPECT_EQ(ResultOf(CallWith(*frontend, "em.getstatus", R"({"id":0})")), expected);
    EXPECT_EQ(ResultOf(CallWith(*frontend, "EM.GETSTATUS", R"({"id":0})")), expected);
    EXPECT_EQ(frontend->SourceId(), "shellypro3em-aabbccddeeff");
}

TEST_F(ShellyMethodsTest, UnknownMethodHasNoHandler) {
    auto frontend = Make(OnStale::Last);
    RpcError error = ErrorOf(CallWith(*frontend, "EM0.GetStatus"));
    EXPECT_EQ(error.code, 404);
    EXPECT_EQ(error.message, "No handler for EM0.GetStatus");
}

TEST_F(ShellyMethodsTest, ComponentIdIsChecked) {
    auto frontend = Make(OnStale::Last);
    Publish(100);
    for (const char* method : {"EM.GetStatus", "EMData.GetStatus"}) {
        EXPECT_EQ(ErrorOf(CallWith(*frontend, method)).code, -103);
        EXPECT_EQ(ErrorOf(CallWith(*frontend, method, R"({"id":"0"})")).code, -103);
        RpcError missing = ErrorOf(CallWith(*frontend, method, R"({"id":1})"));
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
    EXPECT_EQ(ResultOf(CallWith(*frontend, "EM.GetStatus", R"({"id":0})")), em);
    EXPECT_EQ(ResultOf(CallWith(*frontend, "EMData.GetStatus", R"({"id":0})")), emdata);
    EXPECT_EQ(ResultOf(CallWith(*frontend, "Shelly.GetDeviceInfo")), device);
    std::string status = ResultOf(CallWith(*frontend, "Shelly.GetStatus"));
    EXPECT_NE(status.find("\"em:0\":" + em), std::string::npos);
    EXPECT_NE(status.find("\"emdata:0\":" + emdata), std::string::npos);
}

TEST_F(ShellyMethodsTest, SilentStaleDataIsAnError) {
    auto frontend = Make(OnStale::Silent);
    RpcError none = ErrorOf(CallWith(*frontend, "EM.GetStatus", R"({"id":0})"));
    EXPECT_EQ(none.code, -114);
    EXPECT_EQ(none.message, "No reading from the data source yet");
    Publish(100, 11s);
    RpcError stale = ErrorOf(CallWith(*frontend, "EM.GetStatus", R"({"id":0})"));
    EXPECT_EQ(stale.code, -114);
    EXPECT_NE(stale.message.find("more than 10 s"), std::string::npos);
    EXPECT_EQ(ErrorOf(CallWith(*frontend, "EMData.GetStatus", R"({"id":0})")).code, -114);
    // Shelly.GetStatus still answers: identity and sys, with the meter marked failed.
    std::string status = ResultOf(CallWith(*frontend, "Shelly.GetStatus"));
    EXPECT_NE(status.find("\"total_act_power\":null"), std::string::npos);
    EXPECT_NE(status.find("\"power_meter_failure\""), std::string::npos);
    EXPECT_NE(status.find("\"mac\":\"AABBCCDDEEFF\""), std::string::npos);
}

TEST_F(ShellyMethodsTest, ZeroModeZeroesPowerButNeverInventsCounters) {
    auto frontend = Make(OnStale::Zero);
    std::string em = ResultOf(CallWith(*frontend, "EM.GetStatus", R"({"id":0})"));
    EXPECT_NE(em.find("\"total_act_power\":0.000"), std::string::npos);
    EXPECT_EQ(ErrorOf(CallWith(*frontend, "EMData.GetStatus", R"({"id":0})")).code, -114);
    Publish(750, 30s);
    em = ResultOf(CallWith(*frontend, "EM.GetStatus", R"({"id":0})"));
    EXPECT_NE(em.find("\"a_act_power\":0.0,"), std::string::npos);
    EXPECT_NE(em.find("\"a_voltage\":230.0,"), std::string::npos);
    std::string emdata = ResultOf(CallWith(*frontend, "EMData.GetStatus", R"({"id":0})"));
    EXPECT_NE(emdata.find("\"a_total_act_energy\":1000.00"), std::string::npos);
}

TEST_F(ShellyMethodsTest, ComponentsPageHasEveryComponentWithStatusAndConfig) {
    auto frontend = Make(OnStale::Last);
    Publish(100);
    std::string page = ResultOf(CallWith(*frontend, "Shelly.GetComponents"));
    std::string status = ResultOf(CallWith(*frontend, "Shelly.GetStatus"));
    std::string config = ResultOf(CallWith(*frontend, "Shelly.GetConfig"));
    JsonPtr parsed(json_loads(page.c_str(), JSON_PRESERVE_ORDER, nullptr));
    ASSERT_TRUE(parsed) << page;
    json_t* components = json_object_get(parsed.get(), "components");
    EXPECT_EQ(json_array_size(components), 12u);
    EXPECT_EQ(json_integer_value(json_object_get(parsed.get(), "total")), 12);
    EXPECT_EQ(json_integer_value(json_object_get(parsed.get(), "offset")), 0);
    // One cfg_rev everywhere: sys status, sys config, the components page.
    EXPECT_NE(status.find("\"cfg_rev\":10,"), std::string::npos);
    EXPECT_NE(config.find("\"cfg_rev\":10}"), std::string::npos);
    EXPECT_EQ(json_integer_value(json_object_get(parsed.get(), "cfg_rev")), 10);
    JsonPtr whole_status(json_loads(status.c_str(), 0, nullptr));
    JsonPtr whole_config(json_loads(config.c_str(), 0, nullptr));
    size_t index;
    json_t* item;
    json_array_foreach(components, index, item) {
        const char* key = json_string_value(json_object_get(item, "key"));
        ASSERT_TRUE(key);
        EXPECT_TRUE(
            json_equal(json_object_get(item, "config"), json_object_get(whole_config.get(), key)))
            << key;
        // sys and temperature:0 may move between the two calls (uptime, temperature).
        if (std::string_view(key) == "sys" || std::string_view(key) == "temperature:0") continue;
        EXPECT_TRUE(
            json_equal(json_object_get(item, "status"), json_object_get(whole_status.get(), key)))
            << key;
    }
}

TEST_F(ShellyMethodsTest, ComponentsPageFilters) {
    auto frontend = Make(OnStale::Last);
    EXPECT_EQ(ResultOf(CallWith(*frontend, "Shelly.GetComponents",
                                R"({"keys":["wifi","em:0","nope"],"include":["config"]})")),
              R"({"components":[{"key":"em:0","config":{"id":0,"name":null,)"
              R"("blink_mode_selector":"active_energy","phase_selector":"all",)"
              R"("monitor_phase_sequence":false,"ct_type":"120A","reverse":{}}},)"
              R"({"key":"wifi","config":{"ap":{"ssid":"ShellyPro3EM-AABBCCDDEEFF",)"
              R"("is_open":true, "enable":false, "range_extender": {"enable":false}},)"
              R"("sta":{"ssid":null,"is_open":true, "enable":false, "ipv4mode":"dhcp",)"
              R"("ip":null,"netmask":null,"gw":null,"nameserver":null},)"
              R"("sta1":{"ssid":null,"is_open":true, "enable":false, "ipv4mode":"dhcp",)"
              R"("ip":null,"netmask":null,"gw":null,"nameserver":null},)"
              R"("roam":{"rssi_thr":-80,"interval":60}}}],"cfg_rev":10,"offset":0,"total":2})");
    EXPECT_EQ(
        ResultOf(CallWith(*frontend, "Shelly.GetComponents", R"({"offset":11,"include":[]})")),
        R"({"components":[{"key":"ws"}],"cfg_rev":10,"offset":11,"total":12})");
    EXPECT_EQ(ErrorOf(CallWith(*frontend, "Shelly.GetComponents", R"({"offset":-1})")).code, -103);
    EXPECT_EQ(ErrorOf(CallWith(*frontend, "Shelly.GetComponents", R"({"include":"status"})")).code,
              -103);
    EXPECT_EQ(ErrorOf(CallWith(*frontend, "Shelly.GetComponents", R"({"dynamic_only":1})")).code,
              -103);
}

TEST_F(ShellyMethodsTest, HistoryMethodsHaveTheDocumentedShapes) {
    auto frontend = Make(OnStale::Last);
    EXPECT_EQ(ResultOf(CallWith(*frontend, "EMData.GetRecords", R"({"id":0,"ts":0})")),
              R"({"data_blocks":[]})");
    std::string data = ResultOf(CallWith(*frontend, "EMData.GetData", R"({"id":0,"ts":0})"));
    JsonPtr parsed(json_loads(data.c_str(), 0, nullptr));
    json_t* keys = json_object_get(parsed.get(), "keys");
    ASSERT_EQ(json_array_size(keys), 51u) << data;
    EXPECT_STREQ(json_string_value(json_array_get(keys, 0)), "a_total_act_energy");
    EXPECT_STREQ(json_string_value(json_array_get(keys, 16)), "b_total_act_energy");
    EXPECT_STREQ(json_string_value(json_array_get(keys, 50)), "n_avg_current");
    EXPECT_EQ(ResultOf(CallWith(*frontend, "EMData.GetData", R"({"id":0,"add_keys":false})")),
              R"({"data":[]})");
    EXPECT_EQ(ErrorOf(CallWith(*frontend, "EMData.GetRecords")).code, -103);
    EXPECT_EQ(ResultOf(CallWith(*frontend, "EM.GetCTTypes", R"({"id":0})")),
              R"({"types":["120A","400A"]})");
    EXPECT_EQ(ResultOf(CallWith(*frontend, "Script.List")), R"({"scripts":[]})");
    EXPECT_EQ(ErrorOf(CallWith(*frontend, "Script.GetCode", R"({"id":1})")).message,
              "No handler for Script.GetCode");
    EXPECT_EQ(ResultOf(CallWith(*frontend, "rpc.ping")), "null");
}

TEST_F(ShellyMethodsTest, RunningValuesChangeAsOnARealDevice) {
    auto frontend = Make(OnStale::Last);
    std::string first = ResultOf(CallWith(*frontend, "Sys.GetStatus"));
    std::this_thread::sleep_for(1100ms);
    std::string second = ResultOf(CallWith(*frontend, "Sys.GetStatus"));
    auto number = [](const std::string& json, const char* key) {
        JsonPtr parsed(json_loads(json.c_str(), 0, nullptr));
        return json_integer_value(json_object_get(parsed.get(), key));
    };
    EXPECT_GE(number(second, "uptime"), number(first, "uptime") + 1);
    EXPECT_GE(number(second, "unixtime"), number(first, "unixtime") + 1);
    EXPECT_GE(number(second, "ram_free"), number(second, "ram_min_free"));
    // Free heap wanders from one second to the next, as on a real device.
    auto start = std::chrono::steady_clock::now();
    WallTime wall{std::chrono::seconds(1786185039)};
    auto at = [&](int offset) {
        return shelly::CurrentSysInfo(start, wall, start + std::chrono::seconds(offset),
                                      wall + std::chrono::seconds(offset));
    };
    EXPECT_NE(at(1).ram_free, at(2).ram_free);
    EXPECT_EQ(at(2).uptime, 2);
    std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char time[8];
    std::snprintf(time, sizeof time, "%02d:", local.tm_hour);
    EXPECT_NE(second.find(std::string("\"time\":\"") + time), std::string::npos) << second;
}

TEST_F(ShellyMethodsTest, NotificationPerFreshReading) {
    auto frontend = Make(OnStale::Last);
    EXPECT_FALSE(frontend->ReadingNotification()) << "nothing before a reading";
    Publish(100);
    auto first = frontend->ReadingNotification();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->method, "NotifyStatus");
    EXPECT_TRUE(std::regex_search(first->params,
                                  std::regex(R"(^\{"ts":[0-9]{10}\.[0-9]{2},"em:0":\{"id":0,)")))
        << first->params;
    EXPECT_NE(first->params.find(",\"emdata:0\":{\"id\":0,"), std::string::npos);
    EXPECT_FALSE(frontend->ReadingNotification()) << "nothing new";
    Publish(250); // same counters: the energy component is left out
    auto second = frontend->ReadingNotification();
    ASSERT_TRUE(second);
    EXPECT_NE(second->params.find("\"a_act_power\":250.0,"), std::string::npos);
    EXPECT_EQ(second->params.find("emdata:0"), std::string::npos) << second->params;
    Publish(300, 11s); // a reading that is already stale is never pushed
    EXPECT_FALSE(frontend->ReadingNotification());
}

TEST_F(ShellyMethodsTest, LastModeKeepsServingTheLastValues) {
    auto frontend = Make(OnStale::Last);
    Publish(750, 30s);
    std::string em = ResultOf(CallWith(*frontend, "EM.GetStatus", R"({"id":0})"));
    EXPECT_NE(em.find("\"a_act_power\":750.0,"), std::string::npos);
}

} // namespace
} // namespace meteremu
