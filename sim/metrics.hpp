// SPDX-License-Identifier: MIT
// The numbers a run is judged by (definitions: docs/simulator.md#metrics): how fast and how
// cleanly the batteries answer each load step, how much the grid hunts around zero, the energy
// that crossed the connection although a battery could have covered it, and what meteremu
// itself controls (reply latency, the age of what it served, repeats, unanswered polls).
#pragma once

#include "simulation.hpp"

#include <cstddef>
#include <limits>
#include <span>

namespace meteremu::sim {

inline constexpr double kSettleBandW = 25;
inline constexpr double kSettleHoldS = 10;
inline constexpr double kSettleWindowS = 600;
inline constexpr double kSettleMinQuietS = 2; ///< when the next event cuts the 10 s short
inline constexpr double kFastSettleS = 6;
inline constexpr double kCrossingBandW = 20;
inline constexpr double kSteadyExclusionS = 120;

struct Metrics {
    double hours = 0;
    double events = 0;
    /// Over the steps that settled only (read with unsettled_events); NaN when none did.
    double settle_mean_s = std::numeric_limits<double>::quiet_NaN();
    double settle_p95_s = std::numeric_limits<double>::quiet_NaN();
    double unsettled_events = 0;
    double slow_events = 0; ///< not settled within kFastSettleS
    double overshoot_mean_w = 0;
    double overshoot_max_w = 0;
    double band_crossings_per_h = 0;
    double grid_p2p_w = 0; ///< p95 − p5
    double steady_rms_w = 0;
    double grid_rms_w = 0;
    double mean_abs_grid_w = 0;
    double import_wh = 0;
    double export_wh = 0;
    double avoidable_import_wh = 0;
    double avoidable_export_wh = 0;
    double battery_travel_w_per_h = 0;
    double share_imbalance_w = 0;
    double reply_latency_p50_ms = 0;
    double reply_latency_p99_ms = 0;
    double served_age_p50_s = 0;
    double served_age_p95_s = 0;
    double repeat_ratio = 0;
    double unanswered_ratio = 0;
};

Metrics Measure(const RunTrace& trace);

/// Every metric by name, in report order: for the JSON, the tables and the seed means.
struct MetricField {
    const char* name;
    double Metrics::*value;
};
std::span<const MetricField> MetricFields();

/// The field-by-field mean of several runs (the seeds of one cell); a NaN (no step settled)
/// is left out, and the mean is NaN only when every run's is.
Metrics MeanOf(std::span<const Metrics> runs);

/// Linear-interpolated percentile (0 … 100) of `values`; 0 for none.
double Percentile(std::span<const double> values, double percent);

/// The settling time of one step (seconds after `start`), or nothing: |grid| < band for
/// kSettleHoldS, or until `end` when that comes sooner but at least kSettleMinQuietS later.
std::optional<double> SettleTime(std::span<const float> grid_w, std::size_t start, std::size_t end,
                                 double tick_s);

/// Sign changes of the grid with a ±kCrossingBandW hysteresis.
std::size_t BandCrossings(std::span<const float> grid_w);

} // namespace meteremu::sim
