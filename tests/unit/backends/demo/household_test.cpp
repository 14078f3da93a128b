// SPDX-License-Identifier: MIT
#include "backends/demo/household.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <ctime>

namespace meteremu::demo {
namespace {

using namespace std::chrono_literals;

/// Local midnight of an arbitrary summer day, so the day's PV curve is complete.
WallTime LocalMidnight() {
    std::tm day{};
    day.tm_year = 2026 - 1900;
    day.tm_mon = 5;
    day.tm_mday = 21;
    day.tm_isdst = -1;
    return std::chrono::system_clock::from_time_t(std::mktime(&day));
}

std::vector<Reading> SimulateDay(std::uint64_t seed, std::chrono::seconds step) {
    Household household(seed);
    std::vector<Reading> readings;
    WallTime start = LocalMidnight();
    for (WallTime t = start; t < start + 24h; t += step)
        readings.push_back(household.Step(t));
    return readings;
}

TEST(HouseholdTest, SameSeedSameReadings) {
    auto first = SimulateDay(7, 60s);
    auto second = SimulateDay(7, 60s);
    ASSERT_EQ(first.size(), second.size());
    for (size_t i = 0; i < first.size(); ++i)
        for (size_t p = 0; p < kPhaseCount; ++p) {
            EXPECT_EQ(first[i].phases[p].act_power, second[i].phases[p].act_power);
            EXPECT_EQ(first[i].phases[p].import_wh, second[i].phases[p].import_wh);
            EXPECT_EQ(first[i].phases[p].voltage, second[i].phases[p].voltage);
        }
}

TEST(HouseholdTest, OtherSeedOtherReadings) {
    auto first = SimulateDay(1, 600s);
    auto second = SimulateDay(2, 600s);
    EXPECT_NE(first[60].TotalActPower(), second[60].TotalActPower());
}

TEST(HouseholdTest, GridPowerCrossesZeroDuringTheDay) {
    for (std::uint64_t seed : {1, 42, 1234}) {
        auto readings = SimulateDay(seed, 10s);
        int crossings = 0;
        double night_max = -1e9, day_min = 1e9;
        for (size_t i = 1; i < readings.size(); ++i) {
            if ((readings[i - 1].TotalActPower() > 0) != (readings[i].TotalActPower() > 0))
                ++crossings;
            double hour = i * 10.0 / 3600;
            if (hour < 4) night_max = std::max(night_max, -readings[i].TotalActPower());
            if (hour > 12 && hour < 14) day_min = std::min(day_min, readings[i].TotalActPower());
        }
        EXPECT_GE(crossings, 2) << "seed " << seed;
        EXPECT_LT(night_max, 0) << "no export at night, seed " << seed;
        EXPECT_LT(day_min, 0) << "export around noon, seed " << seed;
    }
}

TEST(HouseholdTest, EnergyIsMonotonicAndIntegratesPower) {
    Household household(42);
    WallTime t = LocalMidnight() + 12h;
    Reading previous = household.Step(t);
    for (int i = 0; i < 3600; ++i) {
        t += 1s;
        Reading reading = household.Step(t);
        for (size_t p = 0; p < kPhaseCount; ++p) {
            const auto& now = reading.phases[p];
            const auto& before = previous.phases[p];
            ASSERT_GE(now.import_wh, before.import_wh);
            ASSERT_GE(now.export_wh, before.export_wh);
            double expected = std::abs(now.act_power) / 3600;
            double counted =
                (now.import_wh - before.import_wh) + (now.export_wh - before.export_wh);
            ASSERT_NEAR(counted, expected, 1e-6);
        }
        previous = reading;
    }
}

TEST(HouseholdTest, PhysicsHoldTogether) {
    for (const Reading& reading : SimulateDay(3, 300s)) {
        double total = 0;
        for (const auto& phase : reading.phases) {
            EXPECT_GT(phase.voltage, 215);
            EXPECT_LT(phase.voltage, 245);
            EXPECT_NEAR(phase.frequency, 50, 0.1);
            EXPECT_NEAR(phase.current * phase.voltage, phase.aprt_power, 1e-6);
            EXPECT_GE(phase.aprt_power, std::abs(phase.act_power));
            EXPECT_LE(std::abs(phase.power_factor), 1.0);
            total += phase.act_power;
        }
        EXPECT_DOUBLE_EQ(reading.TotalActPower(), total);
    }
}

} // namespace
} // namespace meteremu::demo
