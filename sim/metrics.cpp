// SPDX-License-Identifier: MIT
#include "metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <vector>

namespace meteremu::sim {
namespace {

std::size_t Ticks(double seconds, double tick_s) {
    return static_cast<std::size_t>(std::llround(seconds / tick_s));
}

/// Events at the same tick are one step (the washer starting with its motor).
std::vector<LoadEvent> MergedEvents(const std::vector<LoadEvent>& events) {
    std::vector<LoadEvent> merged;
    for (const LoadEvent& event : events) {
        if (!merged.empty() && merged.back().at == event.at)
            merged.back().delta_w += event.delta_w;
        else
            merged.push_back(event);
    }
    std::erase_if(merged, [](const LoadEvent& e) { return std::abs(e.delta_w) < 1; });
    return merged;
}

void MeasureEvents(const RunTrace& trace, Metrics& metrics) {
    std::vector<LoadEvent> events = MergedEvents(trace.events);
    std::span<const float> grid(trace.grid_w);
    std::vector<double> settle_times, overshoots;
    for (std::size_t index = 0; index < events.size(); ++index) {
        std::size_t start = static_cast<std::size_t>(events[index].at / kTick);
        if (start >= grid.size()) continue;
        std::size_t end = std::min(grid.size(), start + Ticks(kSettleWindowS, trace.tick_s));
        if (index + 1 < events.size())
            end = std::min(end, static_cast<std::size_t>(events[index + 1].at / kTick));
        if (end <= start) continue;
        metrics.events += 1;
        std::optional<double> settle = SettleTime(grid, start, end, trace.tick_s);
        if (settle)
            settle_times.push_back(*settle);
        else
            metrics.unsettled_events += 1;
        if (!settle || *settle > kFastSettleS) metrics.slow_events += 1;
        double sign = events[index].delta_w > 0 ? 1.0 : -1.0;
        double overshoot = 0;
        for (std::size_t tick = start; tick < end; ++tick)
            overshoot = std::max(overshoot, -sign * grid[tick]);
        overshoots.push_back(overshoot);
    }
    if (!settle_times.empty()) {
        metrics.settle_mean_s = std::accumulate(settle_times.begin(), settle_times.end(), 0.0) /
                                static_cast<double>(settle_times.size());
        metrics.settle_p95_s = Percentile(settle_times, 95);
    }
    if (!overshoots.empty()) {
        metrics.overshoot_mean_w = std::accumulate(overshoots.begin(), overshoots.end(), 0.0) /
                                   static_cast<double>(overshoots.size());
        metrics.overshoot_max_w = *std::max_element(overshoots.begin(), overshoots.end());
    }
}

void MeasureSteady(const RunTrace& trace, Metrics& metrics) {
    std::vector<bool> excluded(trace.grid_w.size(), false);
    auto exclude_after = [&](std::size_t start) {
        std::size_t end = std::min(excluded.size(), start + Ticks(kSteadyExclusionS, trace.tick_s));
        for (std::size_t tick = start; tick < end; ++tick)
            excluded[tick] = true;
    };
    // The run starts with the batteries idle against the house's base load: a step, too.
    exclude_after(0);
    for (const LoadEvent& event : trace.events)
        exclude_after(static_cast<std::size_t>(event.at / kTick));
    double sum = 0;
    std::size_t count = 0;
    for (std::size_t tick = 0; tick < trace.grid_w.size(); ++tick) {
        if (excluded[tick]) continue;
        sum += double{trace.grid_w[tick]} * trace.grid_w[tick];
        ++count;
    }
    metrics.steady_rms_w = count ? std::sqrt(sum / static_cast<double>(count))
                                 : std::numeric_limits<double>::quiet_NaN();
}

void MeasureGrid(const RunTrace& trace, Metrics& metrics) {
    const double hours_per_tick = trace.tick_s / 3600;
    double square = 0, absolute = 0;
    for (std::size_t tick = 0; tick < trace.grid_w.size(); ++tick) {
        double grid = trace.grid_w[tick];
        square += grid * grid;
        absolute += std::abs(grid);
        double import = std::max(grid, 0.0), exported = std::max(-grid, 0.0);
        metrics.import_wh += import * hours_per_tick;
        metrics.export_wh += exported * hours_per_tick;
        metrics.avoidable_import_wh +=
            std::min<double>(import, trace.discharge_headroom_w[tick]) * hours_per_tick;
        metrics.avoidable_export_wh +=
            std::min<double>(exported, trace.charge_headroom_w[tick]) * hours_per_tick;
    }
    double count = static_cast<double>(std::max<std::size_t>(1, trace.grid_w.size()));
    metrics.grid_rms_w = std::sqrt(square / count);
    metrics.mean_abs_grid_w = absolute / count;
    std::vector<double> values(trace.grid_w.begin(), trace.grid_w.end());
    metrics.grid_p2p_w = Percentile(values, 95) - Percentile(values, 5);
    metrics.band_crossings_per_h =
        metrics.hours > 0 ? static_cast<double>(BandCrossings(trace.grid_w)) / metrics.hours : 0;
}

void MeasureBatteries(const RunTrace& trace, Metrics& metrics) {
    double travel = 0;
    for (const std::vector<float>& power : trace.battery_w)
        for (std::size_t tick = 1; tick < power.size(); ++tick)
            travel += std::abs(double{power[tick]} - power[tick - 1]);
    metrics.battery_travel_w_per_h = metrics.hours > 0 ? travel / metrics.hours : 0;
    if (trace.battery_w.size() < 2 || trace.grid_w.empty()) return;
    double imbalance = 0;
    double batteries = static_cast<double>(trace.battery_w.size());
    for (std::size_t tick = 0; tick < trace.grid_w.size(); ++tick) {
        double total = 0;
        for (const std::vector<float>& power : trace.battery_w)
            total += power[tick];
        for (const std::vector<float>& power : trace.battery_w)
            imbalance += std::abs(power[tick] - total / batteries);
    }
    metrics.share_imbalance_w = imbalance / static_cast<double>(trace.grid_w.size());
}

void MeasurePolls(const RunTrace& trace, Metrics& metrics) {
    std::vector<double> latencies_ms, ages_s;
    std::size_t repeats = 0;
    for (const PollRecord& poll : trace.polls) {
        if (!poll.answered) continue;
        latencies_ms.push_back(poll.latency_us / 1000);
        ages_s.push_back(poll.sample_age_s);
        if (poll.repeat) ++repeats;
    }
    metrics.reply_latency_p50_ms = Percentile(latencies_ms, 50);
    metrics.reply_latency_p99_ms = Percentile(latencies_ms, 99);
    metrics.served_age_p50_s = Percentile(ages_s, 50);
    metrics.served_age_p95_s = Percentile(ages_s, 95);
    if (!latencies_ms.empty())
        metrics.repeat_ratio =
            static_cast<double>(repeats) / static_cast<double>(latencies_ms.size());
    if (!trace.polls.empty())
        metrics.unanswered_ratio = 1.0 - static_cast<double>(latencies_ms.size()) /
                                             static_cast<double>(trace.polls.size());
}

} // namespace

double Percentile(std::span<const double> values, double percent) {
    if (values.empty()) return 0;
    std::vector<double> sorted(values.begin(), values.end());
    std::sort(sorted.begin(), sorted.end());
    double rank = percent / 100 * static_cast<double>(sorted.size() - 1);
    std::size_t below = static_cast<std::size_t>(std::floor(rank));
    std::size_t above = std::min(sorted.size() - 1, below + 1);
    return sorted[below] + (sorted[above] - sorted[below]) * (rank - static_cast<double>(below));
}

std::optional<double> SettleTime(std::span<const float> grid_w, std::size_t start, std::size_t end,
                                 double tick_s) {
    end = std::min(end, grid_w.size());
    std::size_t hold = Ticks(kSettleHoldS, tick_s), min_quiet = Ticks(kSettleMinQuietS, tick_s);
    // quiet_run: how many ticks from `tick` on stay inside the band (up to `end`).
    std::size_t quiet_run = 0;
    std::optional<std::size_t> found;
    for (std::size_t tick = end; tick-- > start;) {
        quiet_run = std::abs(grid_w[tick]) < kSettleBandW ? quiet_run + 1 : 0;
        std::size_t left = end - tick;
        std::size_t needed = std::min(hold, left);
        if (left >= min_quiet && quiet_run >= needed && needed > 0) found = tick;
    }
    if (!found) return std::nullopt;
    return static_cast<double>(*found - start) * tick_s;
}

std::size_t BandCrossings(std::span<const float> grid_w) {
    int side = 0;
    std::size_t crossings = 0;
    for (float grid : grid_w) {
        int now = grid > kCrossingBandW ? 1 : grid < -kCrossingBandW ? -1 : side;
        if (side != 0 && now != side) ++crossings;
        side = now;
    }
    return crossings;
}

std::span<const MetricField> MetricFields() {
    static constexpr MetricField kFields[] = {
        {"hours", &Metrics::hours},
        {"events", &Metrics::events},
        {"settle_mean_s", &Metrics::settle_mean_s},
        {"settle_p95_s", &Metrics::settle_p95_s},
        {"unsettled_events", &Metrics::unsettled_events},
        {"slow_events", &Metrics::slow_events},
        {"overshoot_mean_w", &Metrics::overshoot_mean_w},
        {"overshoot_max_w", &Metrics::overshoot_max_w},
        {"band_crossings_per_h", &Metrics::band_crossings_per_h},
        {"grid_p2p_w", &Metrics::grid_p2p_w},
        {"steady_rms_w", &Metrics::steady_rms_w},
        {"grid_rms_w", &Metrics::grid_rms_w},
        {"mean_abs_grid_w", &Metrics::mean_abs_grid_w},
        {"import_wh", &Metrics::import_wh},
        {"export_wh", &Metrics::export_wh},
        {"avoidable_import_wh", &Metrics::avoidable_import_wh},
        {"avoidable_export_wh", &Metrics::avoidable_export_wh},
        {"battery_travel_w_per_h", &Metrics::battery_travel_w_per_h},
        {"share_imbalance_w", &Metrics::share_imbalance_w},
        {"reply_latency_p50_ms", &Metrics::reply_latency_p50_ms},
        {"reply_latency_p99_ms", &Metrics::reply_latency_p99_ms},
        {"served_age_p50_s", &Metrics::served_age_p50_s},
        {"served_age_p95_s", &Metrics::served_age_p95_s},
        {"repeat_ratio", &Metrics::repeat_ratio},
        {"unanswered_ratio", &Metrics::unanswered_ratio},
    };
    return kFields;
}

Metrics MeanOf(std::span<const Metrics> runs) {
    Metrics mean;
    if (runs.empty()) return mean;
    for (const MetricField& field : MetricFields()) {
        double sum = 0;
        std::size_t count = 0;
        for (const Metrics& run : runs) {
            if (std::isnan(run.*field.value)) continue;
            sum += run.*field.value;
            ++count;
        }
        mean.*field.value =
            count ? sum / static_cast<double>(count) : std::numeric_limits<double>::quiet_NaN();
    }
    return mean;
}

Metrics Measure(const RunTrace& trace) {
    Metrics metrics;
    metrics.hours = static_cast<double>(trace.grid_w.size()) * trace.tick_s / 3600;
    MeasureEvents(trace, metrics);
    MeasureSteady(trace, metrics);
    MeasureGrid(trace, metrics);
    MeasureBatteries(trace, metrics);
    MeasurePolls(trace, metrics);
    return metrics;
}

} // namespace meteremu::sim
