// SPDX-License-Identifier: MIT
// Every captured gateway, served by the fake Envoy to the built daemon: what the daemon then
// serves through EM.GetStatus and EMData.GetStatus equals the mapping of the capture
// (docs/protocols/envoy.md#phase-mapping; worked out here again, independently of the daemon's
// code), or, for gateways without grid data, nothing at all and one clear log line.
#include "integration/envoy_support.hpp"

#include <gtest/gtest.h>
#include <jansson.h>

#include <cmath>

namespace meteremu::test {
namespace {

constexpr char kNoGridLine[] =
    "this Envoy has no enabled consumption CT, so it cannot measure grid power";

/// One phase as the Shelly fields should show it.
struct Expected {
    double act = 0, aprt = 0, voltage = 0, current = 0, pf = 0, freq = 0;
    double import_wh = 0, export_wh = 0;
};

std::string Str(json_t* object, const char* key) {
    const char* value = json_string_value(json_object_get(object, key));
    return value ? value : "";
}

double Num(json_t* object, const char* key) {
    json_t* value = json_object_get(object, key);
    return json_is_number(value) ? json_number_value(value) : 0;
}

json_t* Load(const std::filesystem::path& file) {
    return std::filesystem::exists(file) ? json_load_file(file.c_str(), 0, nullptr) : nullptr;
}

/// Spec §8 for a net-consumption CT; nullopt when the folder has none enabled.
std::optional<std::array<Expected, 3>> FromReadings(const std::filesystem::path& folder) {
    json_t* meters = Load(folder / "ivp_meters");
    json_t* readings = Load(folder / "ivp_meters_readings");
    std::optional<std::array<Expected, 3>> result;
    double net_eid = -1, production_eid = -1;
    int phases = 0;
    size_t i;
    json_t* meter;
    json_array_foreach(meters, i, meter) {
        if (Str(meter, "state") != "enabled") continue;
        std::string type = Str(meter, "measurementType");
        phases = std::max(phases, static_cast<int>(Num(meter, "phaseCount")));
        if (type == "net-consumption") net_eid = Num(meter, "eid");
        if (type == "production") production_eid = Num(meter, "eid");
    }
    json_t *net = nullptr, *production = nullptr, *entry;
    json_array_foreach(readings, i, entry) {
        if (Num(entry, "eid") == net_eid) net = entry;
        if (Num(entry, "eid") == production_eid) production = entry;
    }
    if (net) {
        result.emplace();
        for (int phase = 0; phase < phases; ++phase) {
            json_t* channel = json_array_get(json_object_get(net, "channels"), phase);
            Expected& e = (*result)[static_cast<size_t>(phase)];
            e.act = Num(channel, "activePower");
            e.aprt = std::fabs(Num(channel, "apparentPower"));
            e.voltage = Num(channel, "voltage");
            e.current = std::fabs(Num(channel, "current"));
            double computed = e.aprt > 0 ? std::clamp(e.act / e.aprt, -1.0, 1.0) : 0;
            double reported = Num(channel, "pwrFactor");
            e.pf = std::fabs(reported) <= 1 && std::fabs(reported - computed) <= 0.05 ? reported
                                                                                      : computed;
            e.freq = Num(channel, "freq");
            if (e.freq == 0 && production)
                e.freq = Num(json_array_get(json_object_get(production, "channels"), 0), "freq");
            e.import_wh = Num(channel, "actEnergyDlvd");
            e.export_wh = Num(channel, "actEnergyRcvd");
        }
    }
    json_decref(meters);
    json_decref(readings);
    return result;
}

/// The /production.json fallback: the net-consumption lines (or the aggregate on phase a),
/// magnitudes for current and S, P/S for the power factor, no frequency, energy integrated
/// from zero (the first reading shows 0 Wh).
std::optional<std::array<Expected, 3>> FromProductionJson(const std::filesystem::path& folder) {
    auto file = folder / "production.json_details_1";
    json_t* root = Load(std::filesystem::exists(file) ? file : folder / "production.json");
    std::optional<std::array<Expected, 3>> result;
    size_t i;
    json_t* entry;
    json_array_foreach(json_object_get(root, "consumption"), i, entry) {
        std::string type = Str(entry, "measurementType");
        if (type != "net-consumption" || Num(entry, "activeCount") <= 0) continue;
        result.emplace();
        json_t* lines = json_object_get(entry, "lines");
        size_t count = std::min<size_t>(json_array_size(lines), 3);
        for (size_t phase = 0; phase < std::max<size_t>(count, 1); ++phase) {
            json_t* line = count ? json_array_get(lines, phase) : entry;
            Expected& e = (*result)[phase];
            e.act = Num(line, "wNow");
            e.voltage = Num(line, "rmsVoltage");
            e.current = std::fabs(Num(line, "rmsCurrent"));
            e.aprt = std::max(std::fabs(Num(line, "apprntPwr")), std::fabs(e.act));
            e.pf = e.aprt > 0 ? e.act / e.aprt : 0;
        }
    }
    json_decref(root);
    return result;
}

class EnvoyFixturesTest : public testing::TestWithParam<std::string> {};

void ExpectServed(const std::string& em, const std::string& emdata,
                  const std::array<Expected, 3>& expected) {
    const char letters[] = {'a', 'b', 'c'};
    auto near = [&](const std::string& body, const std::string& key, double value, double ulp) {
        auto served = ReplyNumber(body, key);
        ASSERT_TRUE(served.has_value()) << key << " in " << body;
        EXPECT_NEAR(*served, value, ulp / 2 + 1e-9) << key;
    };
    double total_act = 0, total_aprt = 0, total_current = 0, total_import = 0, total_export = 0;
    for (size_t i = 0; i < 3; ++i) {
        std::string p(1, letters[i]);
        const Expected& e = expected[i];
        near(em, p + "_act_power", e.act, 0.1);
        near(em, p + "_aprt_power", e.aprt, 0.1);
        near(em, p + "_voltage", e.voltage, 0.1);
        near(em, p + "_current", e.current, 0.001);
        near(em, p + "_pf", e.pf, 0.01);
        near(em, p + "_freq", e.freq, 0.1);
        near(emdata, p + "_total_act_energy", e.import_wh, 0.01);
        near(emdata, p + "_total_act_ret_energy", e.export_wh, 0.01);
        total_act += e.act;
        total_aprt += e.aprt;
        total_current += e.current;
        total_import += e.import_wh;
        total_export += e.export_wh;
    }
    near(em, "total_act_power", total_act, 0.001);
    near(em, "total_aprt_power", total_aprt, 0.001);
    near(em, "total_current", total_current, 0.001);
    near(emdata, "total_act", total_import, 0.01);
    near(emdata, "total_act_ret", total_export, 0.01);
}

TEST_P(EnvoyFixturesTest, ServesTheSpecMappingOrNoGridData) {
    auto folder = EnvoyFolder(GetParam());
    auto expected = FromReadings(folder);
    bool slow = false;
    if (!expected && !std::filesystem::exists(folder / "ivp_meters")) {
        expected = FromProductionJson(folder);
        slow = expected.has_value();
    }
    EnvoyRig rig(folder);
    std::string token = FolderUsesTokens(folder) ? YearToken() : "";
    // Firmware before 7 speaks plain HTTP only, which the configuration has to allow.
    rig.StartDaemon(
        rig.BackendConfig(token, std::string(token.empty() ? "allow_http = true\n" : "") +
                                     "poll_interval = 0.5\nstale_after = 60\n"));
    if (expected) {
        ASSERT_TRUE(WaitUntil([&] { return rig.Get("/rpc/EM.GetStatus?id=0").status == 200; },
                              std::chrono::seconds(10)))
            << rig.Output();
        ExpectServed(rig.Get("/rpc/EM.GetStatus?id=0").body,
                     rig.Get("/rpc/EMData.GetStatus?id=0").body, *expected);
        EXPECT_EQ(Occurrences(rig.Output(), kNoGridLine), 0);
        if (slow) {
            EXPECT_EQ(Occurrences(rig.Output(), "/production.json, which is slow"), 1);
        }
    } else {
        ASSERT_TRUE(rig.Daemon().process->WaitForOutput(kNoGridLine, std::chrono::seconds(10)))
            << rig.Output();
        auto reply = rig.Get("/rpc/EM.GetStatus?id=0");
        EXPECT_EQ(reply.status, 503) << reply.body; // on_stale = silent: never a made-up value
        std::this_thread::sleep_for(std::chrono::seconds(1));
        EXPECT_EQ(Occurrences(rig.Output(), kNoGridLine), 1) << rig.Output();
        EXPECT_EQ(rig.Envoy().Count("/ivp/meters/readings"), 0);
    }
    EXPECT_EQ(Occurrences(rig.Output(), token.empty() ? "\x01" : token), 0);
    EXPECT_LE(rig.Envoy().MaxInFlight(), 1);
}

INSTANTIATE_TEST_SUITE_P(EveryCapture, EnvoyFixturesTest, testing::ValuesIn(EnvoyFolderNames()),
                         [](const auto& param_info) {
                             std::string name = param_info.param;
                             for (auto& c : name)
                                 if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                             return name;
                         });

} // namespace
} // namespace meteremu::test
