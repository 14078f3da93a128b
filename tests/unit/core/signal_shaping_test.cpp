// SPDX-License-Identifier: MIT
#include "core/meter_state.hpp"
#include "core/signal_shaping.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

using namespace std::chrono_literals;

const SteadyTime t0 = SteadyTime{} + 1000s;

Reading Grid(double a, double b, double c, SteadyTime at = t0) {
    Reading reading;
    reading[Phase::A] = {230, a / 230, a, std::abs(a) + 10, 0, 50, 100, 10};
    reading[Phase::B] = {230, b / 230, b, std::abs(b) + 10, 0, 50, 200, 20};
    reading[Phase::C] = {230, c / 230, c, std::abs(c) + 10, 0, 50, 300, 30};
    reading.received_at = at;
    return reading;
}

TEST(SignalShapingTest, OffByDefaultChangesNothing) {
    EXPECT_FALSE(SignalShaping{}.Active());
    Reading reading = Grid(100, -50, 0);
    Reading shaped = Shape(reading, {}, nullptr);
    EXPECT_EQ(shaped[Phase::A].act_power, 100);
    EXPECT_EQ(shaped[Phase::B].aprt_power, 60);
}

TEST(SignalShapingTest, OffsetPerPhaseTowardImport) {
    SignalShaping shaping;
    shaping.offset = {20, 0, -5};
    Reading shaped = Shape(Grid(-10, 100, 0), shaping, nullptr);
    EXPECT_DOUBLE_EQ(shaped[Phase::A].act_power, 10);
    EXPECT_DOUBLE_EQ(shaped[Phase::B].act_power, 100);
    EXPECT_DOUBLE_EQ(shaped[Phase::C].act_power, -5);
    EXPECT_DOUBLE_EQ(shaped.TotalActPower(), 105);
    // The power factor follows, and the apparent power never falls below |active|.
    EXPECT_GE(shaped[Phase::C].aprt_power, 5);
    EXPECT_LT(shaped[Phase::C].power_factor, 0);
}

TEST(SignalShapingTest, ScaleWithSign) {
    SignalShaping shaping;
    shaping.scale = {-1, 0.5, 1};
    Reading shaped = Shape(Grid(300, 200, 100), shaping, nullptr);
    EXPECT_DOUBLE_EQ(shaped[Phase::A].act_power, -300);
    EXPECT_LT(shaped[Phase::A].power_factor, 0);
    EXPECT_DOUBLE_EQ(shaped[Phase::A].current, 300.0 / 230);
    EXPECT_DOUBLE_EQ(shaped[Phase::B].act_power, 100);
    EXPECT_DOUBLE_EQ(shaped[Phase::B].aprt_power, 105);
}

TEST(SignalShapingTest, SlewLimitCountsTimeNotReadings) {
    SignalShaping shaping;
    shaping.slew_limit = 100; // W/s
    Reading before = Grid(0, 0, 0, t0);
    Reading step = Grid(1000, -1000, 50, t0 + 2s);
    Reading shaped = Shape(step, shaping, &before);
    EXPECT_DOUBLE_EQ(shaped[Phase::A].act_power, 200);
    EXPECT_DOUBLE_EQ(shaped[Phase::B].act_power, -200);
    EXPECT_DOUBLE_EQ(shaped[Phase::C].act_power, 50); // within the limit
    // Half the time, half the step.
    Reading soon = Shape(Grid(1000, 0, 0, t0 + 500ms), shaping, &before);
    EXPECT_DOUBLE_EQ(soon[Phase::A].act_power, 50);
}

TEST(SignalShapingTest, MeterStateShapesEachPublishAndSlewsFromTheServedReading) {
    SignalShaping shaping;
    shaping.offset = {20, 0, 0};
    shaping.slew_limit = 100;
    MeterState state({3, Phase::A}, {10s, OnStale::Silent}, shaping);
    state.Publish(Grid(0, 0, 0, t0));
    EXPECT_DOUBLE_EQ(state.View(t0).reading->phases[0].act_power, 20);
    state.Publish(Grid(1000, 0, 0, t0 + 1s));
    EXPECT_DOUBLE_EQ(state.View(t0 + 1s).reading->phases[0].act_power, 120);
    state.Publish(Grid(1000, 0, 0, t0 + 2s));
    EXPECT_DOUBLE_EQ(state.View(t0 + 2s).reading->phases[0].act_power, 220);
    // A reload applies new shaping at once, to the same sample.
    state.Reconfigure({3, Phase::A}, {10s, OnStale::Silent}, {});
    MeterView view = state.View(t0 + 2s);
    EXPECT_DOUBLE_EQ(view.reading->phases[0].act_power, 1000);
    EXPECT_EQ(view.sample, 3u);
}

} // namespace
} // namespace meteremu
