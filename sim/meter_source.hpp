// SPDX-License-Identifier: MIT
// The source meter meteremu reads: it samples the true grid power every refresh interval
// (the mean over the interval, as a P1 meter reports, or the instant value), rounds it to its
// resolution, and delivers it to meteremu after a latency; now and then it goes silent.
#pragma once

#include "random.hpp"
#include "sim_time.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meteremu::sim {

struct SourceSpec {
    std::string name = "1s";
    double interval_s = 1;
    double interval_jitter_s = 0; ///< each interval is interval_s ± this (uniform)
    double latency_s = 0;
    double latency_jitter_s = 0;    ///< each latency is latency_s + [0, this) (uniform)
    bool window_average = true;     ///< the mean over the interval, else the instant value
    double quantum_w = 1;           ///< resolution (0: none)
    double dropout_probability = 0; ///< per sample, the start of a silent burst
    double dropout_burst_max_s = 30;
};

/// A measurement on its way to meteremu.
struct Sample {
    SimTime measured_at = 0;         ///< the end of its window
    SimTime arrives_at = 0;          ///< when meteremu receives it
    double grid_w = 0;               ///< the sum of the phases
    std::array<double, 3> phase_w{}; ///< per phase, + import
};

class MeterSource {
public:
    MeterSource(SourceSpec spec, Random random);

    /// Feeds the true grid power per phase of the tick starting at `now`; a sample when one
    /// is taken.
    std::optional<Sample> Tick(SimTime now, const std::array<double, 3>& grid_w);

    const SourceSpec& Spec() const noexcept { return spec_; }

private:
    SimTime NextInterval();
    double Quantise(double watts) const;

    SourceSpec spec_;
    Random random_;
    SimTime next_sample_ = 0;
    SimTime silent_until_ = 0;
    SimTime last_arrival_ = 0;
    std::array<double, 3> window_sum_{};
    std::size_t window_ticks_ = 0;
};

/// The sources by name: 1s, 2s, 5s, 10s (P1-style means), 2-6s (jittered, as a source relayed
/// through a home-automation hub), envoy (see docs/simulator.md#sources). `latency_s`, when
/// given, replaces the preset's.
std::optional<SourceSpec> SourcePreset(std::string_view name,
                                       std::optional<double> latency_s = std::nullopt);
std::vector<std::string> SourcePresetNames();

} // namespace meteremu::sim
