// SPDX-License-Identifier: MIT
#include "house.hpp"
#include "scenarios.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace meteremu::sim {
namespace {

constexpr std::size_t kPerSecond = kMicrosPerSecond / kTick;

TEST(House, TheWasherToggles330WEvery16Seconds) {
    HouseSpec spec{.duration_s = 100, .base_w = 450, .noise_sd_w = 0};
    AddWasher(spec, 0, 100, 16, 0);
    Random random(1);
    HouseProfile house = BuildHouse(spec, random);
    ASSERT_EQ(house.load_w.size(), 100 * kPerSecond);
    EXPECT_FLOAT_EQ(house.load_w[10 * kPerSecond], 450);
    EXPECT_FLOAT_EQ(house.load_w[20 * kPerSecond], 780);
    EXPECT_FLOAT_EQ(house.load_w[40 * kPerSecond], 450);
    ASSERT_GE(house.events.size(), 4u);
    EXPECT_EQ(house.events[0].at, FromSeconds(16));
    EXPECT_DOUBLE_EQ(house.events[0].delta_w, 330);
    EXPECT_EQ(house.events[1].at, FromSeconds(32));
    EXPECT_DOUBLE_EQ(house.events[1].delta_w, -330);
}

TEST(House, AThreePhaseHousePutsEachApplianceOnItsPhase) {
    HouseSpec spec{.duration_s = 20, .base_w = 300, .noise_sd_w = 0, .three_phase = true};
    AddKettle(spec, 10, 2000, 5);
    spec.loads.back().phase = 1;
    Random random(1);
    HouseProfile house = BuildHouse(spec, random);
    for (std::size_t second : {5u, 12u}) {
        std::size_t tick = second * kPerSecond;
        float sum = 0;
        for (const std::vector<float>& phase : house.phase_load_w)
            sum += phase[tick];
        EXPECT_FLOAT_EQ(sum, house.load_w[tick]) << second;
    }
    EXPECT_FLOAT_EQ(house.phase_load_w[0][5 * kPerSecond], 100);
    EXPECT_FLOAT_EQ(house.phase_load_w[1][12 * kPerSecond], 2100);
    EXPECT_FLOAT_EQ(house.phase_load_w[2][12 * kPerSecond], 100);
    // One phase: nothing per phase, the whole house is on A.
    spec.three_phase = false;
    EXPECT_TRUE(BuildHouse(spec, random).phase_load_w[0].empty());
}

TEST(House, TheSameSeedBuildsTheSameHouse) {
    std::optional<HouseSpec> spec = ScenarioHouse("household", METEREMU_SIM_FIXTURES);
    ASSERT_TRUE(spec);
    Random a(7), b(7), c(8);
    HouseProfile first = BuildHouse(*spec, a), again = BuildHouse(*spec, b),
                 other = BuildHouse(*spec, c);
    EXPECT_EQ(first.load_w, again.load_w);
    EXPECT_NE(first.load_w, other.load_w);
}

TEST(House, PvIsAHalfSineWithCloudDips) {
    HouseSpec spec{
        .duration_s = 3600, .base_w = 0, .noise_sd_w = 0, .pv_peak_w = 2000, .clouds_per_hour = 30};
    Random random(3);
    HouseProfile house = BuildHouse(spec, random);
    float lowest = *std::min_element(house.load_w.begin(), house.load_w.end());
    EXPECT_NEAR(lowest, -2000, 1);
    EXPECT_NEAR(house.load_w[5], 0, 1); // sunrise
    bool dipped = std::any_of(house.events.begin(), house.events.end(),
                              [](const LoadEvent& e) { return e.label == "cloud"; });
    EXPECT_TRUE(dipped);
}

TEST(House, TheTraceFixtureReplaysSecondBySecond) {
    std::vector<double> trace =
        ReadTrace(std::string(METEREMU_SIM_FIXTURES) + "/household_trace.csv");
    ASSERT_EQ(trace.size(), 1800u);
    HouseSpec spec{.duration_s = 60, .base_w = 0, .noise_sd_w = 0, .trace_w = trace};
    Random random(1);
    HouseProfile house = BuildHouse(spec, random);
    EXPECT_FLOAT_EQ(house.load_w[0], static_cast<float>(trace[0]));
    EXPECT_FLOAT_EQ(house.load_w[kPerSecond * 7 + 3], static_cast<float>(trace[7]));
}

TEST(House, ABadTraceLineIsNamed) {
    EXPECT_THROW(ReadTrace("/nonexistent/trace.csv"), std::runtime_error);
}

} // namespace
} // namespace meteremu::sim
