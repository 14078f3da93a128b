// SPDX-License-Identifier: MIT
#include "fleets.hpp"

#include "metrics.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace meteremu::sim {
namespace {

struct Fleet {
    const char* scenario;
    const char* batteries;
};

/// One battery as a reference, then the fleets the CT002 is for, on houses with steps and a
/// washing machine; PV with the B2500; three phases for three batteries.
constexpr std::array kFleets{
    Fleet{"washing", "hmg50"},
    Fleet{"washing", "hmg50+hmg50"},
    Fleet{"washing", "venus-e3+hmg50-slow"},
    Fleet{"washing", "hmg50+b2500"},
    Fleet{"household", "hmg50"},
    Fleet{"household", "hmg50+hmg50"},
    Fleet{"household", "venus-e3+hmg50-slow"},
    Fleet{"household", "hmg50+b2500"},
    Fleet{"pv", "hmg50"},
    Fleet{"pv", "hmg50+b2500"},
    Fleet{"household3", "hmg50@A"},
    Fleet{"household3", "hmg50@A+hmg50@B+hmg50@C"},
};

constexpr std::array kMeters{Meter::Shelly, Meter::Ct002Relay, Meter::Ct002Active};

struct Column {
    const char* title;
    double (*value)(const Metrics&);
    const char* format;
};

const std::array<Column, 8> kColumns{{
    {"settle s", [](const Metrics& m) { return m.settle_mean_s; }, "%.1f"},
    {"unsettled", [](const Metrics& m) { return m.unsettled_events; }, "%.1f"},
    {"overshoot max W", [](const Metrics& m) { return m.overshoot_max_w; }, "%.0f"},
    {"crossings/h", [](const Metrics& m) { return m.band_crossings_per_h; }, "%.0f"},
    {"steady RMS W", [](const Metrics& m) { return m.steady_rms_w; }, "%.1f"},
    {"avoidable Wh", [](const Metrics& m) { return m.avoidable_import_wh + m.avoidable_export_wh; },
     "%.0f"},
    {"travel kW/h", [](const Metrics& m) { return m.battery_travel_w_per_h / 1000; }, "%.1f"},
    {"imbalance W", [](const Metrics& m) { return m.share_imbalance_w; }, "%.0f"},
}};

Metrics SeedMean(const Fleet& fleet, Meter meter, int seeds, const ct002::BalanceSettings& balance,
                 const std::string& trace_dir) {
    RunOverrides overrides;
    overrides.meter = meter;
    overrides.balance = balance;
    std::vector<Metrics> runs;
    for (int seed = 1; seed <= seeds; ++seed) {
        Cell cell{fleet.scenario, fleet.batteries, "1s", 0.0, "hold"};
        runs.push_back(Measure(
            Simulate(MakeRun(cell, static_cast<std::uint64_t>(seed), trace_dir, overrides))));
    }
    return MeanOf(runs);
}

std::string Number(const char* format, double value) {
    if (std::isnan(value)) return "—";
    std::array<char, 32> text{};
    std::snprintf(text.data(), text.size(), format, value);
    return text.data();
}

std::string Row(const Fleet& fleet, const std::array<Metrics, kMeters.size()>& by_meter) {
    std::string batteries, row = "| ";
    for (char c : std::string_view(fleet.batteries))
        batteries += c == '+' ? std::string(" + ") : std::string(1, c);
    row += std::string(fleet.scenario) + " | " + batteries + " |";
    for (const Column& column : kColumns) {
        row += " ";
        for (std::size_t i = 0; i < by_meter.size(); ++i)
            row += (i ? " / " : "") + Number(column.format, column.value(by_meter[i]));
        row += " |";
    }
    return row + "\n";
}

} // namespace

std::string RunFleets(int seeds, const ct002::BalanceSettings& balance, const std::string& out,
                      const std::string& trace_dir) {
    std::string table = "| house | batteries |";
    std::string rule = "|---|---|";
    for (const Column& column : kColumns) {
        table += std::string(" ") + column.title + " |";
        rule += "---:|";
    }
    table += "\n" + rule + "\n";
    for (const Fleet& fleet : kFleets) {
        std::array<Metrics, kMeters.size()> by_meter;
        for (std::size_t i = 0; i < kMeters.size(); ++i)
            by_meter[i] = SeedMean(fleet, kMeters[i], seeds, balance, trace_dir);
        table += Row(fleet, by_meter);
    }
    if (!out.empty()) {
        std::filesystem::create_directories(out);
        std::ofstream file(out + "/fleets.md");
        file << "Shelly / CT002 relay / CT002 active, " << seeds
             << " seeds, 1 s source, no latency, hold\n\n"
             << table;
        if (!file) throw std::runtime_error(out + "/fleets.md: cannot write");
    }
    return table;
}

} // namespace meteremu::sim
