// SPDX-License-Identifier: MIT
#include "scenarios.hpp"

#include "battery.hpp"
#include "meter_source.hpp"
#include "served_path.hpp"

#include <fstream>
#include <stdexcept>

namespace meteremu::sim {
namespace {

/// One Venus and a washing machine, the test a peer project measured its damping with: 450 W
/// of base load, the motor's 330 W toggling every 16 s for 80 edges, then quiet until the half
/// hour is over (the quiet minutes are what the steady-state RMS measures).
HouseSpec Washing() {
    HouseSpec spec{.duration_s = 1800, .base_w = 450, .noise_sd_w = 10};
    AddWasher(spec, 60, 60 + 80 * 16, 16, 0);
    return spec;
}

/// A constant 400 W with noise and no step: what is left is the loop's own oscillation (the
/// field reports of fast pollers swinging on a 1 s source were taken like this).
HouseSpec Steady() {
    return HouseSpec{.duration_s = 900, .base_w = 400, .noise_sd_w = 15};
}

HouseSpec Kettle() {
    HouseSpec spec{.duration_s = 1200, .base_w = 300};
    AddKettle(spec, 120);
    AddKettle(spec, 720);
    return spec;
}

HouseSpec Oven() {
    HouseSpec spec{.duration_s = 1800, .base_w = 300};
    AddOven(spec, 60, 1740);
    return spec;
}

HouseSpec Fridge() {
    HouseSpec spec{.duration_s = 1800, .base_w = 250};
    AddFridge(spec, 30, 1800, 120, 300, 600);
    return spec;
}

HouseSpec Pv() {
    HouseSpec spec{.duration_s = 7200, .base_w = 350, .pv_peak_w = 2500, .clouds_per_hour = 20};
    AddFridge(spec, 30, spec.duration_s);
    return spec;
}

HouseSpec Household() {
    HouseSpec spec{.duration_s = 5400, .base_w = 300, .pv_peak_w = 1500, .clouds_per_hour = 12};
    AddFridge(spec, 100, spec.duration_s);
    AddKettle(spec, 300);
    AddWasher(spec, 900, 2700);
    AddOven(spec, 3000, 4800);
    AddKettle(spec, 5000);
    return spec;
}

/// Places the appliances added since the `from`th on `phase` (0, 1, 2: A, B, C).
void PlaceOnPhase(HouseSpec& spec, std::size_t from, int phase) {
    for (std::size_t i = from; i < spec.loads.size(); ++i)
        spec.loads[i].phase = phase;
}

/// The household on three phases, each appliance on its own: the fridge and the washing
/// machine on A, the kettle on B, the oven on C; base load, noise and PV spread evenly.
HouseSpec ThreePhaseHousehold() {
    HouseSpec spec{.duration_s = 5400,
                   .base_w = 300,
                   .pv_peak_w = 1500,
                   .clouds_per_hour = 12,
                   .three_phase = true};
    AddFridge(spec, 100, spec.duration_s);
    AddWasher(spec, 900, 2700);
    PlaceOnPhase(spec, 0, 0);
    std::size_t kettles = spec.loads.size();
    AddKettle(spec, 300);
    AddKettle(spec, 5000);
    PlaceOnPhase(spec, kettles, 1);
    std::size_t oven = spec.loads.size();
    AddOven(spec, 3000, 4800);
    PlaceOnPhase(spec, oven, 2);
    return spec;
}

} // namespace

std::vector<double> ReadTrace(const std::string& path) {
    std::ifstream file(path);
    if (!file) throw std::runtime_error(path + ": cannot open the trace");
    std::vector<double> watts;
    std::string line;
    for (int number = 1; std::getline(file, line); ++number) {
        std::size_t first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#') continue;
        try {
            watts.push_back(std::stod(line.substr(first)));
        } catch (const std::exception&) {
            throw std::runtime_error(path + ":" + std::to_string(number) +
                                     ": expected a power in W");
        }
    }
    if (watts.empty()) throw std::runtime_error(path + ": the trace holds no value");
    return watts;
}

std::optional<HouseSpec> ScenarioHouse(std::string_view name, const std::string& trace_dir) {
    if (name == "washing") return Washing();
    if (name == "steady") return Steady();
    if (name == "kettle") return Kettle();
    if (name == "oven") return Oven();
    if (name == "fridge") return Fridge();
    if (name == "pv") return Pv();
    if (name == "household") return Household();
    if (name == "household3") return ThreePhaseHousehold();
    if (name == "trace") {
        HouseSpec spec{.base_w = 0, .noise_sd_w = 5};
        spec.trace_w = ReadTrace(trace_dir + "/household_trace.csv");
        spec.trace_name = "trace";
        spec.duration_s = static_cast<double>(spec.trace_w.size());
        return spec;
    }
    return std::nullopt;
}

std::vector<std::string> ScenarioNames() {
    return {"washing", "steady", "kettle",    "oven",      "fridge",
            "pv",      "trace",  "household", "household3"};
}

std::vector<Cell> MatrixCells(const MatrixSpec& spec) {
    std::vector<std::string> batteries =
        spec.batteries.empty() ? BatteryModelNames() : spec.batteries;
    std::vector<std::string> policies = spec.policies.empty() ? PolicyNames() : spec.policies;
    std::vector<std::optional<double>> latencies(spec.latencies_s.begin(), spec.latencies_s.end());
    if (latencies.empty()) latencies.emplace_back();
    std::vector<Cell> cells;
    for (const std::string& scenario : spec.scenarios)
        for (const std::string& battery : batteries)
            for (const std::string& source : spec.sources)
                for (const std::optional<double>& latency : latencies)
                    for (const std::string& policy : policies)
                        cells.push_back({scenario, battery, source, latency, policy});
    return cells;
}

namespace {

/// "hmg50+b2500": one battery of each model named.
std::vector<std::string> SplitModels(const std::string& models) {
    std::vector<std::string> names;
    for (std::size_t start = 0;;) {
        std::size_t plus = models.find('+', start);
        names.push_back(models.substr(start, plus - start));
        if (plus == std::string::npos) return names;
        start = plus + 1;
    }
}

} // namespace

RunSpec MakeRun(const Cell& cell, std::uint64_t seed, const std::string& trace_dir,
                const RunOverrides& overrides) {
    std::optional<HouseSpec> house = ScenarioHouse(cell.scenario, trace_dir);
    if (!house) throw std::invalid_argument("unknown scenario: " + cell.scenario);
    std::optional<SourceSpec> source = SourcePreset(cell.source, cell.latency_s);
    if (!source) throw std::invalid_argument("unknown source: " + cell.source);
    if (overrides.quantum_w) source->quantum_w = *overrides.quantum_w;
    if (overrides.dropout_probability) source->dropout_probability = *overrides.dropout_probability;
    return RunSpec{.scenario = cell.scenario,
                   .house = std::move(*house),
                   .source = std::move(*source),
                   .batteries = SplitModels(cell.battery),
                   .policy = cell.policy,
                   .seed = seed,
                   .shaping = overrides.shaping,
                   .meter = overrides.meter,
                   .balance = overrides.balance};
}

} // namespace meteremu::sim
