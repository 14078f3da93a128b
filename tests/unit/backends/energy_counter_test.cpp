// SPDX-License-Identifier: MIT
// Integrated import and export energy for CTs that give no grid counters, kept across restarts.
#include "backends/energy_counter.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

namespace meteremu {
namespace {

using namespace std::chrono_literals;

Reading Powers(double a, double b, double c) {
    Reading reading;
    reading.phases[0].act_power = a;
    reading.phases[1].act_power = b;
    reading.phases[2].act_power = c;
    return reading;
}

TEST(EnergyCounterTest, IntegratesImportAndExportPerPhaseSplittingAtZero) {
    test::TempDir dir;
    EnergyCounter counter(dir.Path() / "energy.json", 10s);
    counter.Load("S1");
    SteadyTime t0{};
    Reading first = Powers(3600, -3600, 3600);
    counter.Add(first, t0 + 1s);
    EXPECT_EQ(first.phases[0].import_wh, 0); // nothing to integrate yet
    Reading second = Powers(3600, -3600, -3600);
    counter.Add(second, t0 + 2s);
    EXPECT_NEAR(second.phases[0].import_wh, 1.0, 1e-9); // 3600 W for 1 s
    EXPECT_NEAR(second.phases[1].export_wh, 1.0, 1e-9);
    EXPECT_NEAR(second.phases[2].import_wh, 0.25, 1e-9); // crosses zero half-way
    EXPECT_NEAR(second.phases[2].export_wh, 0.25, 1e-9);
}

TEST(EnergyCounterTest, DoesNotBridgeAGapLongerThanAllowed) {
    test::TempDir dir;
    EnergyCounter counter(dir.Path() / "energy.json", 10s);
    counter.Load("S1");
    SteadyTime t0{};
    Reading reading = Powers(1000, 0, 0);
    counter.Add(reading, t0);
    counter.Add(reading, t0 + 60s);
    EXPECT_EQ(reading.phases[0].import_wh, 0);
}

TEST(EnergyCounterTest, SurvivesARestartAndIgnoresAnotherGatewaysCounters) {
    test::TempDir dir;
    auto file = dir.Path() / "energy.json";
    {
        EnergyCounter counter(file, 10s);
        counter.Load("S1");
        Reading reading = Powers(7200, -7200, 0);
        counter.Add(reading, SteadyTime{});
        counter.Add(reading, SteadyTime{} + 5s);
        counter.Save();
    }
    struct stat info {};
    ASSERT_EQ(stat(file.c_str(), &info), 0);
    EXPECT_FALSE(std::filesystem::exists(dir.Path() / "energy.json.tmp"));
    EnergyCounter again(file, 10s);
    again.Load("S1");
    EXPECT_NEAR(again.ImportWh(0), 10.0, 1e-3);
    EXPECT_NEAR(again.ExportWh(1), 10.0, 1e-3);
    EnergyCounter other(file, 10s);
    other.Load("S2");
    EXPECT_EQ(other.ImportWh(0), 0);
}

TEST(EnergyCounterTest, RefusesACorruptFile) {
    test::TempDir dir;
    auto file =
        dir.Write("energy.json", R"({"serial":"S1","import_wh":[1,2],"export_wh":[0,0,0]})");
    EnergyCounter counter(file, 10s);
    EXPECT_THROW(counter.Load("S1"), std::exception);
}

TEST(EnergyCounterTest, AFailingSaveIsReportedOncePerRunAndTriedAgainAfterTheInterval) {
    test::TempDir dir;
    std::filesystem::path folder = dir.Path() / "state";
    EnergyCounter counter(folder / "energy.json", 10s);
    counter.Load("S1");
    SteadyTime t0{};
    auto error = counter.TrySaveIfDue(t0 + 60s, 60s); // the folder does not exist
    ASSERT_TRUE(error);
    EXPECT_NE(error->find("energy.json"), std::string::npos) << *error;
    EXPECT_FALSE(counter.TrySaveIfDue(t0 + 61s, 60s));  // not due: not tried
    EXPECT_FALSE(counter.TrySaveIfDue(t0 + 120s, 60s)); // failing again: already reported
    std::filesystem::create_directory(folder);
    EXPECT_FALSE(counter.TrySaveIfDue(t0 + 121s, 60s)); // not due yet
    EXPECT_FALSE(std::filesystem::exists(folder / "energy.json"));
    EXPECT_FALSE(counter.TrySaveIfDue(t0 + 180s, 60s));
    EXPECT_TRUE(std::filesystem::exists(folder / "energy.json"));
    std::filesystem::remove_all(folder);
    EXPECT_TRUE(counter.TrySaveIfDue(t0 + 180s, 0s)); // a new run of failures, saved "now"
}

} // namespace
} // namespace meteremu
