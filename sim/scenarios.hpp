// SPDX-License-Identifier: MIT
// The named houses (docs/simulator.md#scenarios) and the matrix `make sim` runs.
#pragma once

#include "core/signal_shaping.hpp"
#include "house.hpp"
#include "simulation.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meteremu::sim {

/// washing, steady, kettle, oven, fridge, pv, trace, household. `trace_dir` holds the trace files.
std::optional<HouseSpec> ScenarioHouse(std::string_view name, const std::string& trace_dir);
std::vector<std::string> ScenarioNames();

/// Reads a 1 s trace: one power in W per line; blank lines and '#' comments skipped.
/// Throws std::runtime_error naming the file and line of a bad value.
std::vector<double> ReadTrace(const std::string& path);

/// One cell of the matrix, before the seed.
struct Cell {
    std::string scenario;
    std::string battery; ///< a model, or several joined by '+' ("hmg50+b2500")
    std::string source;
    std::optional<double> latency_s; ///< nothing: the source preset's own
    std::string policy;
};

/// What the command line changes in every run: the source, and meteremu's signal shaping.
struct RunOverrides {
    std::optional<double> quantum_w;
    std::optional<double> dropout_probability;
    /// meteremu's signal shaping for every run: the simulator carries the total on phase A.
    SignalShaping shaping;
    Meter meter = Meter::Shelly;
    ct002::BalanceSettings balance; ///< the CT002's active mode
};

struct MatrixSpec {
    std::vector<std::string> scenarios{"washing", "steady", "household"};
    std::vector<std::string> batteries; ///< empty: every model
    std::vector<std::string> sources{"1s", "2s", "5s", "10s"};
    std::vector<double> latencies_s{0, 0.5, 1.5}; ///< empty: each source's own
    std::vector<std::string> policies;            ///< empty: every policy
    int seeds = 3;
    RunOverrides overrides;
};

std::vector<Cell> MatrixCells(const MatrixSpec& spec);

/// The run of `cell` with `seed`; throws std::invalid_argument for unknown names.
RunSpec MakeRun(const Cell& cell, std::uint64_t seed, const std::string& trace_dir,
                const RunOverrides& overrides = {});

} // namespace meteremu::sim
