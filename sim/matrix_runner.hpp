// SPDX-License-Identifier: MIT
// Runs cells of the matrix on worker threads and writes what they leave: a JSON per run, an
// SVG per cell group (every policy of one scenario, battery, source and latency, first seed),
// and the Markdown report.
#pragma once

#include "scenarios.hpp"

#include <cstdint>
#include <string>

namespace meteremu::sim {

struct RunOptions {
    MatrixSpec matrix;
    bool matrix_mode = false;
    bool list = false;
    bool fleets = false; ///< the several-batteries table (fleets.hpp) instead of the matrix
    std::uint64_t first_seed = 1;
    int jobs = 0;           ///< 0: one per core
    bool write_csv = false; ///< also OUT/traces/<cell>.csv of the first seed, every 100 ms
    std::string out = "build/sim";
    std::string trace_dir = METEREMU_SIM_FIXTURES;
};

/// Runs everything `options` names; returns the Markdown written to OUT/report.md.
std::string RunMatrix(const RunOptions& options);

/// The scenario, battery, source and policy names, one kind per line.
std::string ListNames();

} // namespace meteremu::sim
