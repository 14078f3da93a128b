// SPDX-License-Identifier: MIT
#include "matrix_runner.hpp"

#include "battery.hpp"
#include "meter_source.hpp"
#include "report.hpp"
#include "served_path.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace meteremu::sim {
namespace {

void WriteFile(const std::filesystem::path& path, const std::string& text) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream file(path);
    file << text;
    if (!file) throw std::runtime_error(path.string() + ": cannot write");
}

/// The cells that share a plot: one scenario, battery, source and latency, every policy.
std::vector<std::vector<Cell>> PlotGroups(const std::vector<Cell>& cells) {
    std::map<std::string, std::vector<Cell>> groups;
    std::vector<std::string> order;
    for (const Cell& cell : cells) {
        Cell key = cell;
        key.policy = "";
        std::string name = CellFileName(key);
        if (!groups.contains(name)) order.push_back(name);
        groups[name].push_back(cell);
    }
    std::vector<std::vector<Cell>> result;
    for (const std::string& name : order)
        result.push_back(std::move(groups[name]));
    return result;
}

/// time, house load, grid and battery power every 100 ms, for a closer look than the plot.
std::string TraceCsv(const RunTrace& trace) {
    std::string csv = "time_s,load_w,grid_w,battery_w\n";
    const std::size_t every = static_cast<std::size_t>(0.1 / trace.tick_s + 0.5);
    char line[128];
    for (std::size_t tick = 0; tick < trace.grid_w.size(); tick += every) {
        double battery = 0;
        for (const std::vector<float>& power : trace.battery_w)
            battery += power[tick];
        std::snprintf(line, sizeof line, "%.2f,%.1f,%.1f,%.1f\n",
                      static_cast<double>(tick) * trace.tick_s, double{trace.load_w[tick]},
                      double{trace.grid_w[tick]}, battery);
        csv += line;
    }
    return csv;
}

std::vector<CellResult> RunGroup(const std::vector<Cell>& group, const RunOptions& options) {
    std::vector<CellResult> results;
    std::vector<RunTrace> first_traces;
    std::filesystem::path out(options.out);
    for (const Cell& cell : group) {
        CellResult result{cell, {}, {}};
        for (int index = 0; index < options.matrix.seeds; ++index) {
            std::uint64_t seed = options.first_seed + static_cast<std::uint64_t>(index);
            RunTrace trace =
                Simulate(MakeRun(cell, seed, options.trace_dir, options.matrix.overrides));
            result.seeds.push_back(Measure(trace));
            WriteFile(out / "runs" /
                          (CellFileName(cell) + "_seed" + std::to_string(seed) + ".json"),
                      RunJson(cell, seed, result.seeds.back()));
            if (index != 0) continue;
            if (options.write_csv)
                WriteFile(out / "traces" / (CellFileName(cell) + ".csv"), TraceCsv(trace));
            first_traces.push_back(std::move(trace));
        }
        result.mean = MeanOf(result.seeds);
        results.push_back(std::move(result));
    }
    std::vector<PlotPanel> panels;
    for (std::size_t index = 0; index < group.size(); ++index)
        panels.push_back(
            {group[index].policy + " (seed " + std::to_string(options.first_seed) + ")",
             &first_traces[index]});
    Cell key = group.front();
    key.policy = "";
    std::string title = key.scenario + ": " + CellLabel(key);
    WriteFile(out / "plots" / (CellFileName(key) + ".svg"), PlotSvg(title, panels));
    return results;
}

int Workers(const RunOptions& options, std::size_t groups) {
    int jobs = options.jobs > 0
                   ? options.jobs
                   : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    return std::max(1, std::min(jobs, static_cast<int>(groups)));
}

} // namespace

std::string RunMatrix(const RunOptions& options) {
    auto started = std::chrono::steady_clock::now();
    std::vector<std::vector<Cell>> groups = PlotGroups(MatrixCells(options.matrix));
    for (const std::vector<Cell>& group : groups) // unknown names fail before any work
        (void)MakeRun(group.front(), options.first_seed, options.trace_dir);
    std::vector<std::vector<CellResult>> results(groups.size());
    std::atomic<std::size_t> next{0};
    std::mutex error_mutex;
    std::exception_ptr error;
    auto work = [&] {
        for (std::size_t index; (index = next++) < groups.size();) {
            try {
                results[index] = RunGroup(groups[index], options);
            } catch (...) {
                std::lock_guard lock(error_mutex);
                error = std::current_exception();
            }
        }
    };
    int workers = Workers(options, groups.size());
    std::vector<std::jthread> threads;
    for (int index = 0; index < workers; ++index)
        threads.emplace_back(work);
    threads.clear();
    if (error) std::rethrow_exception(error);

    std::vector<CellResult> flat;
    for (std::vector<CellResult>& group : results)
        std::move(group.begin(), group.end(), std::back_inserter(flat));
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::string report = MarkdownReport(flat, wall, workers);
    WriteFile(std::filesystem::path(options.out) / "report.md", report);
    return report;
}

std::string ListNames() {
    auto join = [](const std::vector<std::string>& names) {
        std::string line;
        for (const std::string& name : names)
            line += (line.empty() ? "" : " ") + name;
        return line + "\n";
    };
    return "scenarios: " + join(ScenarioNames()) + "batteries: " + join(BatteryModelNames()) +
           "sources: " + join(SourcePresetNames()) + "policies: " + join(AllPolicyNames());
}

} // namespace meteremu::sim
