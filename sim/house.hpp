// SPDX-License-Identifier: MIT
// The house: what it draws from its connection before any battery acts, tick by tick, and
// the labelled load steps the metrics measure settling from. A load is built once per run
// from a HouseSpec and a seed, so every policy and battery of one seed sees the same house.
#pragma once

#include "random.hpp"
#include "sim_time.hpp"

#include <array>
#include <string>
#include <vector>

namespace meteremu::sim {

/// An appliance that draws `power_w` from `start_s` to `end_s`.
struct SquareLoad {
    double start_s = 0;
    double end_s = 0;
    double power_w = 0;
    std::string label;
    int phase = -1; ///< 0, 1, 2: on phase A, B, C of a three-phase house; -1: spread evenly
};

struct HouseSpec {
    double duration_s = 1800;
    double base_w = 300;
    double noise_sd_w = 15; ///< Gaussian, drawn anew every second
    std::vector<SquareLoad> loads;
    double pv_peak_w = 0;        ///< half-sine over the whole run
    double clouds_per_hour = 0;  ///< dips to 40 % of the PV for 5–60 s
    std::vector<double> trace_w; ///< replayed 1 s values (looped), added to the base
    std::string trace_name;      ///< for the report
    /// The base, noise, trace and PV spread evenly over three phases, each appliance on its
    /// own; otherwise the whole house is on phase A.
    bool three_phase = false;
};

/// A labelled step of the load: the metrics measure the batteries' answer to each.
struct LoadEvent {
    SimTime at = 0;
    double delta_w = 0;
    std::string label;
};

struct HouseProfile {
    std::vector<float> load_w; ///< per tick: consumption minus PV, before the batteries
    /// The same per phase for a three-phase house; empty for one on phase A alone.
    std::array<std::vector<float>, 3> phase_load_w;
    std::vector<LoadEvent> events;
};

/// Steps smaller than this are noise, not events.
inline constexpr double kEventThresholdW = 100;

HouseProfile BuildHouse(const HouseSpec& spec, Random& random);

// Scripted appliances, appended to spec.loads.
void AddKettle(HouseSpec& spec, double start_s, double power_w = 2000, double length_s = 180);
/// Thermostat cycling: heats up continuously, then `on_s` on / `off_s` off until `end_s`.
void AddOven(HouseSpec& spec, double start_s, double end_s, double power_w = 2000, double on_s = 40,
             double off_s = 80);
/// The washing machine: 450 W while it runs (unless `drum_w` is 0: the house's base holds
/// it), and a 330 W motor toggling every `toggle_s`.
void AddWasher(HouseSpec& spec, double start_s, double end_s, double toggle_s = 16,
               double drum_w = 450);
/// A fridge compressor: `power_w` for `on_s`, off for `off_s`.
void AddFridge(HouseSpec& spec, double start_s, double end_s, double power_w = 120,
               double on_s = 600, double off_s = 1200);

} // namespace meteremu::sim
