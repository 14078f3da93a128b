// SPDX-License-Identifier: MIT
// What a run and a matrix leave behind: JSON per run, Markdown tables per scenario and for the
// whole matrix, and an SVG of grid, load and battery power (written by hand: no library).
#pragma once

#include "metrics.hpp"
#include "scenarios.hpp"
#include "simulation.hpp"

#include <span>
#include <string>
#include <vector>

namespace meteremu::sim {

/// "hmg50 1s +0.5s hold": the cell without its scenario.
std::string CellLabel(const Cell& cell);
/// A file name for the cell: "washing_hmg50_1s_0.5s_hold".
std::string CellFileName(const Cell& cell);

std::string RunJson(const Cell& cell, std::uint64_t seed, const Metrics& metrics);

struct CellResult {
    Cell cell;
    std::vector<Metrics> seeds;
    Metrics mean;
};

/// The matrix report: per scenario a table of every cell (seed means), then an aggregate per
/// battery model and policy.
std::string MarkdownReport(std::span<const CellResult> results, double wall_seconds, int jobs);

/// One table of cells (the single-run output as well).
std::string MarkdownTable(std::span<const CellResult> results);

/// A panel of the plot: one run under one label.
struct PlotPanel {
    std::string label;
    const RunTrace* trace = nullptr;
};

/// Grid (red), house load (grey) and battery power (blue) over the whole run, one panel per
/// run stacked, each pixel column drawn as its minimum and maximum so oscillation shows.
std::string PlotSvg(const std::string& title, std::span<const PlotPanel> panels);

} // namespace meteremu::sim
