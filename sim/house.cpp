// SPDX-License-Identifier: MIT
#include "house.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace meteremu::sim {
namespace {

std::size_t TickOf(double seconds) {
    return static_cast<std::size_t>(std::max<SimTime>(0, FromSeconds(seconds) / kTick));
}

void AddSquare(std::vector<double>& load, const SquareLoad& square) {
    std::size_t end = std::min(load.size(), TickOf(square.end_s));
    for (std::size_t tick = TickOf(square.start_s); tick < end; ++tick)
        load[tick] += square.power_w;
}

void AddNoise(std::vector<double>& load, const HouseSpec& spec, Random& random) {
    constexpr std::size_t kTicksPerSecond = kMicrosPerSecond / kTick;
    for (std::size_t start = 0; start < load.size(); start += kTicksPerSecond) {
        double noise = random.Normal(0, spec.noise_sd_w);
        for (std::size_t tick = start; tick < std::min(load.size(), start + kTicksPerSecond);
             ++tick)
            load[tick] += noise;
    }
}

void AddTrace(std::vector<double>& load, const HouseSpec& spec, std::vector<LoadEvent>& events) {
    if (spec.trace_w.empty()) return;
    constexpr std::size_t kTicksPerSecond = kMicrosPerSecond / kTick;
    for (std::size_t tick = 0; tick < load.size(); ++tick)
        load[tick] += spec.trace_w[(tick / kTicksPerSecond) % spec.trace_w.size()];
    for (std::size_t second = 1; second * kTicksPerSecond < load.size(); ++second) {
        double before = spec.trace_w[(second - 1) % spec.trace_w.size()];
        double after = spec.trace_w[second % spec.trace_w.size()];
        if (std::abs(after - before) >= 1.5 * kEventThresholdW)
            events.push_back(
                {static_cast<SimTime>(second) * kMicrosPerSecond, after - before, spec.trace_name});
    }
}

/// PV as a negative load: a half-sine over the run, with cloud dips to 40 %.
void AddPv(std::vector<double>& load, const HouseSpec& spec, Random& random,
           std::vector<LoadEvent>& events) {
    if (spec.pv_peak_w <= 0) return;
    std::vector<double> cover(load.size(), 1.0);
    double rate_per_s = spec.clouds_per_hour / 3600.0;
    for (double t = 0; rate_per_s > 0;) {
        t += -std::log(1.0 - random.Unit()) / rate_per_s;
        if (t >= spec.duration_s) break;
        double length = random.Uniform(5, 60);
        for (std::size_t tick = TickOf(t); tick < std::min(load.size(), TickOf(t + length)); ++tick)
            cover[tick] = 0.4;
    }
    double previous = 0;
    for (std::size_t tick = 0; tick < load.size(); ++tick) {
        double t = ToSeconds(static_cast<SimTime>(tick) * kTick);
        double pv = spec.pv_peak_w * std::sin(std::numbers::pi * t / spec.duration_s) * cover[tick];
        load[tick] -= pv;
        if (tick > 0 && std::abs(pv - previous) >= kEventThresholdW)
            events.push_back({static_cast<SimTime>(tick) * kTick, previous - pv, "cloud"});
        previous = pv;
    }
}

void AddEdges(const HouseSpec& spec, std::vector<LoadEvent>& events) {
    for (const SquareLoad& square : spec.loads) {
        if (std::abs(square.power_w) < kEventThresholdW) continue;
        events.push_back({FromSeconds(square.start_s), square.power_w, square.label + " on"});
        if (square.end_s < spec.duration_s)
            events.push_back({FromSeconds(square.end_s), -square.power_w, square.label + " off"});
    }
}

/// Each phase carries a third of the house, and each appliance placed on a phase carries
/// all of its power there instead.
void SplitPhases(const HouseSpec& spec, const std::vector<double>& load, HouseProfile& profile) {
    std::array<std::vector<double>, 3> phases;
    for (std::vector<double>& phase : phases)
        phase.assign(load.size(), 0.0);
    for (std::size_t tick = 0; tick < load.size(); ++tick)
        for (std::vector<double>& phase : phases)
            phase[tick] = load[tick] / 3;
    for (const SquareLoad& square : spec.loads) {
        if (square.phase < 0 || square.phase > 2) continue;
        std::size_t end = std::min(load.size(), TickOf(square.end_s));
        for (std::size_t tick = TickOf(square.start_s); tick < end; ++tick) {
            for (std::vector<double>& phase : phases)
                phase[tick] -= square.power_w / 3;
            phases[static_cast<std::size_t>(square.phase)][tick] += square.power_w;
        }
    }
    for (std::size_t i = 0; i < 3; ++i)
        profile.phase_load_w[i].assign(phases[i].begin(), phases[i].end());
}

} // namespace

HouseProfile BuildHouse(const HouseSpec& spec, Random& random) {
    std::vector<double> load(TickOf(spec.duration_s), spec.base_w);
    HouseProfile profile;
    for (const SquareLoad& square : spec.loads)
        AddSquare(load, square);
    AddNoise(load, spec, random);
    AddTrace(load, spec, profile.events);
    AddPv(load, spec, random, profile.events);
    AddEdges(spec, profile.events);
    // Two edges at the same instant (a motor stopping as the machine does) are one step.
    std::stable_sort(profile.events.begin(), profile.events.end(),
                     [](const LoadEvent& a, const LoadEvent& b) { return a.at < b.at; });
    profile.load_w.assign(load.begin(), load.end());
    if (spec.three_phase) SplitPhases(spec, load, profile);
    return profile;
}

void AddKettle(HouseSpec& spec, double start_s, double power_w, double length_s) {
    spec.loads.push_back({start_s, start_s + length_s, power_w, "kettle"});
}

void AddOven(HouseSpec& spec, double start_s, double end_s, double power_w, double on_s,
             double off_s) {
    double heat_up_end = std::min(end_s, start_s + 4 * on_s);
    spec.loads.push_back({start_s, heat_up_end, power_w, "oven heat-up"});
    for (double t = heat_up_end + off_s; t < end_s; t += on_s + off_s)
        spec.loads.push_back({t, std::min(end_s, t + on_s), power_w, "oven thermostat"});
}

void AddWasher(HouseSpec& spec, double start_s, double end_s, double toggle_s, double drum_w) {
    if (drum_w > 0) spec.loads.push_back({start_s, end_s, drum_w, "washer"});
    for (double t = start_s + toggle_s; t < end_s; t += 2 * toggle_s)
        spec.loads.push_back({t, std::min(end_s, t + toggle_s), 330, "washer motor"});
}

void AddFridge(HouseSpec& spec, double start_s, double end_s, double power_w, double on_s,
               double off_s) {
    for (double t = start_s; t < end_s; t += on_s + off_s)
        spec.loads.push_back({t, std::min(end_s, t + on_s), power_w, "fridge"});
}

} // namespace meteremu::sim
