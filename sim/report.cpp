// SPDX-License-Identifier: MIT
#include "report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

namespace meteremu::sim {
namespace {

/// A number, or `missing` when there is none (NaN: no step settled).
std::string Fixed(double value, int decimals, const char* missing = "—") {
    if (!std::isfinite(value)) return missing;
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

std::string LatencyText(const Cell& cell) {
    return cell.latency_s ? Fixed(*cell.latency_s, 1) + "s" : "preset";
}

/// The columns of the tables: the figures a reader compares first.
struct Column {
    const char* heading;
    double Metrics::*value;
    int decimals;
};

constexpr Column kColumns[] = {
    {"settle mean s", &Metrics::settle_mean_s, 1},
    {"settle p95 s", &Metrics::settle_p95_s, 1},
    {"unsettled", &Metrics::unsettled_events, 1},
    {"overshoot max W", &Metrics::overshoot_max_w, 0},
    {"crossings/h", &Metrics::band_crossings_per_h, 0},
    {"p95−p5 W", &Metrics::grid_p2p_w, 0},
    {"steady RMS W", &Metrics::steady_rms_w, 1},
    {"avoidable import Wh", &Metrics::avoidable_import_wh, 1},
    {"avoidable export Wh", &Metrics::avoidable_export_wh, 1},
    {"travel kW/h", &Metrics::battery_travel_w_per_h, 1},
    {"age p50 s", &Metrics::served_age_p50_s, 2},
    {"repeat", &Metrics::repeat_ratio, 2},
    {"unanswered", &Metrics::unanswered_ratio, 2},
    {"reply p99 ms", &Metrics::reply_latency_p99_ms, 2},
};

std::string TableHeader(const char* first) {
    std::string header = std::string("| ") + first + " |";
    std::string rule = "|---|";
    for (const Column& column : kColumns) {
        header += std::string(" ") + column.heading + " |";
        rule += "---:|";
    }
    return header + "\n" + rule + "\n";
}

std::string TableRow(const std::string& label, const Metrics& metrics) {
    std::string row = "| " + label + " |";
    for (const Column& column : kColumns) {
        double value = metrics.*column.value;
        if (column.value == &Metrics::battery_travel_w_per_h) value /= 1000;
        row += " " + Fixed(value, column.decimals) + " |";
    }
    return row + "\n";
}

} // namespace

std::string CellLabel(const Cell& cell) {
    return cell.battery + " " + cell.source + " +" + LatencyText(cell) + " " + cell.policy;
}

std::string CellFileName(const Cell& cell) {
    return cell.scenario + "_" + cell.battery + "_" + cell.source + "_" + LatencyText(cell) + "_" +
           cell.policy;
}

std::string RunJson(const Cell& cell, std::uint64_t seed, const Metrics& metrics) {
    std::ostringstream out;
    out << "{\n  \"scenario\": \"" << cell.scenario << "\",\n  \"battery\": \"" << cell.battery
        << "\",\n  \"source\": \"" << cell.source
        << "\",\n  \"latency_s\": " << (cell.latency_s ? Fixed(*cell.latency_s, 3) : "null")
        << ",\n  \"policy\": \"" << cell.policy << "\",\n  \"seed\": " << seed
        << ",\n  \"metrics\": {";
    const char* separator = "\n";
    for (const MetricField& field : MetricFields()) {
        out << separator << "    \"" << field.name
            << "\": " << Fixed(metrics.*field.value, 4, "null");
        separator = ",\n";
    }
    out << "\n  }\n}\n";
    return out.str();
}

std::string MarkdownTable(std::span<const CellResult> results) {
    std::string table = TableHeader("battery source +latency policy");
    for (const CellResult& result : results)
        table += TableRow(CellLabel(result.cell), result.mean);
    return table;
}

std::string MarkdownReport(std::span<const CellResult> results, double wall_seconds, int jobs) {
    std::map<std::string, std::vector<CellResult>> by_scenario;
    std::map<std::string, std::vector<Metrics>> by_model_policy;
    std::size_t runs = 0;
    for (const CellResult& result : results) {
        by_scenario[result.cell.scenario].push_back(result);
        by_model_policy[result.cell.battery + " " + result.cell.policy].push_back(result.mean);
        runs += result.seeds.size();
    }
    std::string report = "# meteremu closed-loop simulator: matrix report\n\n";
    report += std::to_string(results.size()) + " cells, " + std::to_string(runs) + " runs, " +
              Fixed(wall_seconds, 1) + " s wall time on " + std::to_string(jobs) +
              " threads. Each row is the mean over its seeds; definitions in "
              "docs/simulator.md#metrics. Settling counts the steps that settled only (— "
              "where none did): read it with `unsettled`.\n\n## Aggregate: battery model × policy "
              "(mean over "
              "scenarios, sources and latencies)\n\n";
    report += TableHeader("battery policy");
    for (const auto& [label, means] : by_model_policy)
        report += TableRow(label, MeanOf(means));
    for (const auto& [scenario, cells] : by_scenario)
        report += "\n## Scenario " + scenario + "\n\n" + MarkdownTable(cells);
    return report;
}

} // namespace meteremu::sim
