// SPDX-License-Identifier: MIT
#include "meter_source.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace meteremu::sim {

MeterSource::MeterSource(SourceSpec spec, Random random) : spec_(std::move(spec)), random_(random) {
    // The first sample comes within one interval of the start, at a seed-chosen phase.
    next_sample_ = FromSeconds(random_.Uniform(0.1, spec_.interval_s));
}

SimTime MeterSource::NextInterval() {
    double jitter = spec_.interval_jitter_s;
    double seconds = spec_.interval_s + (jitter > 0 ? random_.Uniform(-jitter, jitter) : 0);
    return std::max(kTick, FromSeconds(seconds));
}

double MeterSource::Quantise(double watts) const {
    if (spec_.quantum_w <= 0) return watts;
    return std::round(watts / spec_.quantum_w) * spec_.quantum_w;
}

std::optional<Sample> MeterSource::Tick(SimTime now, const std::array<double, 3>& grid_w) {
    for (std::size_t i = 0; i < 3; ++i)
        window_sum_[i] += grid_w[i];
    ++window_ticks_;
    if (now + kTick <= next_sample_) return std::nullopt;

    Sample sample;
    for (std::size_t i = 0; i < 3; ++i) {
        double value =
            spec_.window_average ? window_sum_[i] / static_cast<double>(window_ticks_) : grid_w[i];
        sample.phase_w[i] = Quantise(value);
        sample.grid_w += sample.phase_w[i];
    }
    window_sum_ = {};
    window_ticks_ = 0;
    SimTime measured_at = next_sample_;
    next_sample_ += NextInterval();
    if (spec_.dropout_probability > 0 && random_.Chance(spec_.dropout_probability))
        silent_until_ = measured_at + FromSeconds(random_.Uniform(0, spec_.dropout_burst_max_s));
    if (measured_at < silent_until_) return std::nullopt;

    double latency =
        spec_.latency_s +
        (spec_.latency_jitter_s > 0 ? random_.Uniform(0, spec_.latency_jitter_s) : 0.0);
    // A source delivers in order: a later sample never overtakes an earlier one.
    SimTime arrives_at = std::max(last_arrival_, measured_at + FromSeconds(latency));
    last_arrival_ = arrives_at;
    sample.measured_at = measured_at;
    sample.arrives_at = arrives_at;
    return sample;
}

std::optional<SourceSpec> SourcePreset(std::string_view name, std::optional<double> latency_s) {
    SourceSpec spec;
    spec.name = std::string(name);
    if (name == "1s" || name == "2s" || name == "5s" || name == "10s") {
        spec.interval_s = std::stod(std::string(name.substr(0, name.size() - 1)));
    } else if (name == "2-6s") {
        spec.interval_s = 4;
        spec.interval_jitter_s = 2;
    } else if (name == "envoy") {
        // meteremu polls /ivp/meters/readings every poll_interval (1 s by default); the
        // answer takes 0.083–0.315 s on the gateways measured in
        // docs/protocols/envoy.md#latency-and-polling-rate and carries the CT's instant value.
        spec.interval_s = 1;
        spec.latency_s = 0.083;
        spec.latency_jitter_s = 0.315 - 0.083;
        spec.window_average = false;
        spec.quantum_w = 0.001;
    } else {
        return std::nullopt;
    }
    if (latency_s) {
        spec.latency_s = *latency_s;
        spec.latency_jitter_s = 0;
    }
    return spec;
}

std::vector<std::string> SourcePresetNames() {
    return {"1s", "2s", "5s", "10s", "2-6s", "envoy"};
}

} // namespace meteremu::sim
