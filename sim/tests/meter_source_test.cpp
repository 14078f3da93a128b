// SPDX-License-Identifier: MIT
#include "meter_source.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace meteremu::sim {
namespace {

/// Every sample a source gives over `seconds` of a grid at `grid_w(t)`.
template <typename Grid>
std::vector<Sample> Samples(const SourceSpec& spec, double seconds, Grid grid_w) {
    MeterSource source(spec, Random(5));
    std::vector<Sample> samples;
    for (SimTime now = 0; now < FromSeconds(seconds); now += kTick)
        if (auto sample = source.Tick(now, {grid_w(ToSeconds(now)), 0, 0}))
            samples.push_back(*sample);
    return samples;
}

TEST(MeterSource, RefreshesEveryIntervalAfterItsLatency) {
    std::optional<SourceSpec> spec = SourcePreset("2s", 0.5);
    ASSERT_TRUE(spec);
    std::vector<Sample> samples = Samples(*spec, 60, [](double) { return 100.0; });
    ASSERT_GE(samples.size(), 29u);
    for (std::size_t index = 1; index < samples.size(); ++index) {
        EXPECT_EQ(samples[index].measured_at - samples[index - 1].measured_at, FromSeconds(2));
        EXPECT_EQ(samples[index].arrives_at - samples[index].measured_at, FromSeconds(0.5));
        EXPECT_DOUBLE_EQ(samples[index].grid_w, 100);
    }
}

TEST(MeterSource, AveragesOverItsWindowAndQuantises) {
    SourceSpec spec{.interval_s = 10, .quantum_w = 10};
    // 0 W, then 100 W from 5 s on: a mean over whole windows is 50 W, a 10 W resolution.
    std::vector<Sample> samples =
        Samples(spec, 100, [](double t) { return std::fmod(t, 10.0) < 5 ? 0.0 : 104.0; });
    ASSERT_GE(samples.size(), 3u);
    EXPECT_DOUBLE_EQ(samples[2].grid_w, 50);
    spec.window_average = false;
    spec.quantum_w = 1;
    samples = Samples(spec, 100, [](double t) { return t; }); // the instant value
    EXPECT_NEAR(samples[2].grid_w, ToSeconds(samples[2].measured_at), 0.6);
}

TEST(MeterSource, JitteredIntervalsStayInsideTheirRange) {
    std::optional<SourceSpec> spec = SourcePreset("2-6s");
    ASSERT_TRUE(spec);
    std::vector<Sample> samples = Samples(*spec, 600, [](double) { return 0.0; });
    double shortest = 1e9, longest = 0;
    for (std::size_t index = 1; index < samples.size(); ++index) {
        double gap = ToSeconds(samples[index].measured_at - samples[index - 1].measured_at);
        shortest = std::min(shortest, gap);
        longest = std::max(longest, gap);
    }
    EXPECT_GE(shortest, 2.0);
    EXPECT_LE(longest, 6.0);
    EXPECT_LT(shortest, 2.5);
    EXPECT_GT(longest, 5.5);
}

TEST(MeterSource, DropoutsSilenceItForABurst) {
    SourceSpec spec{.interval_s = 1, .dropout_probability = 0.05, .dropout_burst_max_s = 30};
    std::vector<Sample> samples = Samples(spec, 3600, [](double) { return 0.0; });
    EXPECT_LT(samples.size(), 3400u);
    EXPECT_GT(samples.size(), 1000u);
}

TEST(MeterSource, TheEnvoyPresetIsMeteremusPollWithTheMeasuredLatency) {
    std::optional<SourceSpec> spec = SourcePreset("envoy");
    ASSERT_TRUE(spec);
    std::vector<Sample> samples = Samples(*spec, 120, [](double) { return 0.0; });
    for (const Sample& sample : samples) {
        double latency = ToSeconds(sample.arrives_at - sample.measured_at);
        EXPECT_GE(latency, 0.083 - 1e-6);
        EXPECT_LE(latency, 0.315 + 1e-6);
    }
    EXPECT_FALSE(SourcePreset("nonesuch"));
}

} // namespace
} // namespace meteremu::sim
