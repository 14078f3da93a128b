// SPDX-License-Identifier: MIT
// The metrics on hand-made traces whose answers are worked out in the comments.
#include "metrics.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace meteremu::sim {
namespace {

constexpr std::size_t kPerSecond = kMicrosPerSecond / kTick;

/// A trace of `seconds`, every tick at `grid_w`, one idle battery with no headroom.
RunTrace FlatTrace(double seconds, float grid_w) {
    RunTrace trace;
    std::size_t ticks = static_cast<std::size_t>(seconds) * kPerSecond;
    trace.grid_w.assign(ticks, grid_w);
    trace.load_w.assign(ticks, 0);
    trace.battery_w.assign(1, std::vector<float>(ticks, 0));
    trace.discharge_headroom_w.assign(ticks, 0);
    trace.charge_headroom_w.assign(ticks, 0);
    return trace;
}

void Fill(RunTrace& trace, double from_s, double to_s, float grid_w) {
    std::size_t end = std::min(trace.grid_w.size(), static_cast<std::size_t>(to_s * kPerSecond));
    for (std::size_t tick = static_cast<std::size_t>(from_s * kPerSecond); tick < end; ++tick)
        trace.grid_w[tick] = grid_w;
}

TEST(Metrics, SettlingCountsFromTheStepToTenQuietSeconds) {
    RunTrace trace = FlatTrace(100, 0);
    trace.events.push_back({FromSeconds(10), 300, "step"});
    Fill(trace, 10, 14, 300); // 4 s of import, then quiet
    Fill(trace, 14, 15, -60); // overshoot past zero, 1 s
    Metrics metrics = Measure(trace);
    EXPECT_EQ(metrics.events, 1);
    EXPECT_NEAR(metrics.settle_mean_s, 5.0, 1e-9);
    EXPECT_NEAR(metrics.overshoot_max_w, 60, 1e-9);
    EXPECT_EQ(metrics.unsettled_events, 0);
    EXPECT_EQ(metrics.slow_events, 0);
}

TEST(Metrics, AStepThatNeverSettlesIsCounted) {
    RunTrace trace = FlatTrace(100, 0);
    trace.events.push_back({FromSeconds(10), 300, "step"});
    for (double t = 10; t < 100; t += 4) { // ±100 W swinging until the end
        Fill(trace, t, t + 2, 100);
        Fill(trace, t + 2, t + 4, -100);
    }
    Metrics metrics = Measure(trace);
    EXPECT_EQ(metrics.unsettled_events, 1);
    EXPECT_EQ(metrics.slow_events, 1);
    EXPECT_NEAR(metrics.overshoot_max_w, 100, 1e-9);
}

TEST(Metrics, TheNextStepCutsTheQuietHoldShort) {
    RunTrace trace = FlatTrace(60, 0);
    trace.events.push_back({FromSeconds(10), 330, "motor on"});
    trace.events.push_back({FromSeconds(26), -330, "motor off"});
    Fill(trace, 10, 18, 330);  // quiet from 18 s: 8 s until the next step, enough
    Fill(trace, 26, 40, -330); // quiet from 40 s to the end (20 s)
    Metrics metrics = Measure(trace);
    EXPECT_EQ(metrics.events, 2);
    EXPECT_NEAR(metrics.settle_mean_s, (8.0 + 14.0) / 2, 1e-9);
    EXPECT_NEAR(metrics.settle_p95_s, 8.0 + 0.95 * 6.0, 1e-9);
    EXPECT_EQ(metrics.slow_events, 2);
}

TEST(Metrics, QuietLessThanTwoSecondsBeforeTheNextStepIsNotSettled) {
    RunTrace trace = FlatTrace(40, 0);
    trace.events.push_back({FromSeconds(10), 330, "motor on"});
    trace.events.push_back({FromSeconds(26), -330, "motor off"});
    Fill(trace, 10, 25, 330); // quiet only the last second before the next step
    Fill(trace, 26, 40, -330);
    Metrics metrics = Measure(trace);
    EXPECT_EQ(metrics.unsettled_events, 2);
    EXPECT_TRUE(std::isnan(metrics.settle_mean_s)); // no step settled: no mean
}

TEST(Metrics, BandCrossingsNeedToLeaveTheHysteresisBand) {
    std::vector<float> grid{0, 25, 10, -10, 15, -25, -30, 19, 21, -21, -19, 30};
    // +25 starts on the + side; −25 crosses (1); 21 crosses (2); −21 crosses (3); 30 (4).
    EXPECT_EQ(BandCrossings(grid), 4u);
    RunTrace trace = FlatTrace(3600, 0);
    for (double t = 0; t < 3600; t += 60) // a square wave of 60 s: 120 crossings an hour
        Fill(trace, t + 30, t + 60, 50);
    for (double t = 0; t < 3600; t += 60)
        Fill(trace, t, t + 30, -50);
    EXPECT_NEAR(Measure(trace).band_crossings_per_h, 119, 1e-9);
}

TEST(Metrics, PercentileSpreadRmsAndEnergy) {
    RunTrace trace = FlatTrace(3600, 100);
    Fill(trace, 1800, 3600, -100);
    trace.discharge_headroom_w.assign(trace.grid_w.size(), 40);
    trace.charge_headroom_w.assign(trace.grid_w.size(), 1000);
    Metrics metrics = Measure(trace);
    EXPECT_NEAR(metrics.grid_p2p_w, 200, 1e-6);
    EXPECT_NEAR(metrics.grid_rms_w, 100, 1e-6);
    EXPECT_NEAR(metrics.steady_rms_w, 100, 1e-6);
    EXPECT_NEAR(metrics.import_wh, 50, 1e-6);
    EXPECT_NEAR(metrics.export_wh, 50, 1e-6);
    EXPECT_NEAR(metrics.avoidable_import_wh, 20, 1e-6); // capped by 40 W of headroom
    EXPECT_NEAR(metrics.avoidable_export_wh, 50, 1e-6);
}

TEST(Metrics, SteadyRmsLeavesOutTwoMinutesAfterTheStartAndEveryStep) {
    RunTrace trace = FlatTrace(600, 10);
    Fill(trace, 0, 120, 450); // the battery starting against the base load
    trace.events.push_back({FromSeconds(300), 330, "motor on"});
    Fill(trace, 300, 420, 1000);
    EXPECT_NEAR(Measure(trace).steady_rms_w, 10, 1e-6);
    Fill(trace, 420, 421, 1000); // one second past the two minutes counts
    EXPECT_GT(Measure(trace).steady_rms_w, 10.5);
}

TEST(Metrics, SteadyRmsIsNoneWhenStepsLeaveNoSteadyState) {
    RunTrace trace = FlatTrace(600, 10);
    for (double at = 100; at < 600; at += 100)
        trace.events.push_back({FromSeconds(at), 330, "thermostat"});
    EXPECT_TRUE(std::isnan(Measure(trace).steady_rms_w));
}

TEST(Metrics, TravelAndShareImbalance) {
    RunTrace trace = FlatTrace(3600, 0);
    trace.battery_w.assign(2, std::vector<float>(trace.grid_w.size(), 0));
    for (std::size_t tick = trace.grid_w.size() / 2; tick < trace.grid_w.size(); ++tick) {
        trace.battery_w[0][tick] = 300; // one step of 300 W: travel 300 W in an hour
        trace.battery_w[1][tick] = 100;
    }
    Metrics metrics = Measure(trace);
    EXPECT_NEAR(metrics.battery_travel_w_per_h, 400, 1e-6);
    // Half the hour both at 0; half at 300/100 around a fair 200: Σ|P − 200| = 200.
    EXPECT_NEAR(metrics.share_imbalance_w, 100, 1e-6);
}

TEST(Metrics, WhatMeteremuControls) {
    RunTrace trace = FlatTrace(10, 0);
    trace.polls = {
        {.battery = 0, .answered = true, .repeat = false, .latency_us = 100, .sample_age_s = 0.2},
        {.battery = 0, .answered = true, .repeat = true, .latency_us = 300, .sample_age_s = 1.2},
        {.battery = 0, .answered = false},
        {.battery = 0, .answered = true, .repeat = false, .latency_us = 200, .sample_age_s = 0.4},
    };
    Metrics metrics = Measure(trace);
    EXPECT_NEAR(metrics.repeat_ratio, 1.0 / 3, 1e-9);
    EXPECT_NEAR(metrics.unanswered_ratio, 0.25, 1e-9);
    EXPECT_NEAR(metrics.reply_latency_p50_ms, 0.2, 1e-9);
    EXPECT_NEAR(metrics.served_age_p50_s, 0.4, 1e-9);
    EXPECT_NEAR(metrics.served_age_p95_s, 0.4 + 0.9 * 0.8, 1e-9);
}

TEST(Metrics, MeanOfSeedsIsFieldByField) {
    Metrics a, b;
    a.settle_mean_s = 4;
    b.settle_mean_s = 8;
    a.repeat_ratio = 1;
    std::vector<Metrics> runs{a, b};
    Metrics mean = MeanOf(runs);
    EXPECT_DOUBLE_EQ(mean.settle_mean_s, 6);
    EXPECT_DOUBLE_EQ(mean.repeat_ratio, 0.5);
    runs.push_back(Metrics{}); // a run where no step settled counts only where it has values
    EXPECT_DOUBLE_EQ(MeanOf(runs).settle_mean_s, 6);
    EXPECT_DOUBLE_EQ(MeanOf(runs).repeat_ratio, 1.0 / 3);
}

} // namespace
} // namespace meteremu::sim
