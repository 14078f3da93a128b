// SPDX-License-Identifier: MIT
#include "frontends/ct002/balancer.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace meteremu::ct002 {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr std::size_t kMost = 64;

/// Where a battery may be steered to: its output's bounds.
struct Bounds {
    double low = -kInfinity;
    double high = kInfinity;
};

/// Splits `total` by weight, each part within its bounds: the parts that would fall outside
/// are held at the bound and the rest is split again among the others. What nobody can take
/// is split by weight after all: a battery told more than it can do holds at its bound.
void SplitWithin(std::span<const double> weights, std::span<const Bounds> bounds, double total,
                 std::span<double> parts) {
    const std::size_t count = weights.size();
    std::array<bool, kMost> held{};
    for (std::size_t round = 0; round <= count; ++round) {
        double free_weight = 0;
        double rest = total;
        for (std::size_t i = 0; i < count; ++i)
            held[i] ? rest -= parts[i] : free_weight += weights[i];
        bool changed = false;
        for (std::size_t i = 0; i < count && free_weight > 0; ++i) {
            if (held[i]) continue;
            double part = rest * weights[i] / free_weight;
            parts[i] = std::clamp(part, bounds[i].low, bounds[i].high);
            if (parts[i] != part) held[i] = changed = true;
        }
        if (!changed) break;
    }
    double left = total;
    double weight = 0;
    for (std::size_t i = 0; i < count; ++i) {
        left -= parts[i];
        weight += weights[i];
    }
    for (std::size_t i = 0; i < count && weight > 0; ++i)
        parts[i] += left * weights[i] / weight;
}

/// Where a battery may go while the batteries that charge from the grid must deliver
/// `ac_demand` between them (+ discharge), the others staying as they are: one of them not
/// across zero against that (one charging while another discharges is batteries fighting);
/// a DC-coupled one not below the least it keeps (a slow one, which the others do not wait
/// for).
Bounds BoundsOf(const Participant& battery, double ac_demand, const BalanceSettings& settings) {
    Bounds bounds;
    if (!battery.ac_charging)
        bounds.low = std::min(battery.output_w, settings.dc_floor_w);
    else if (ac_demand >= 0)
        bounds.low = std::min(battery.output_w, 0.0);
    else
        bounds.high = std::max(battery.output_w, 0.0);
    return bounds;
}

/// The group's view of one grid error: weights, bounds, what each takes of the error by
/// weight, and the output each should end at.
struct Split {
    std::size_t count = 0;
    std::array<double, kMost> weights{};
    std::array<Bounds, kMost> bounds{};
    std::array<double, kMost> moves{};
    std::array<double, kMost> targets{};
};

void SplitError(std::span<const Participant> group, double grid_w, const BalanceSettings& settings,
                Split& split) {
    const std::size_t count = split.count;
    double demand = grid_w;
    double ac_demand = grid_w;
    double weight_sum = 0;
    for (std::size_t i = 0; i < count; ++i) {
        weight_sum += std::max(group[i].weight, 0.0);
        demand += group[i].output_w;
        if (group[i].ac_charging) ac_demand += group[i].output_w;
    }
    std::array<Bounds, kMost> move_bounds{};
    for (std::size_t i = 0; i < count; ++i) {
        // Nobody weighted: all alike rather than nobody taking anything.
        split.weights[i] = weight_sum > 0 ? std::max(group[i].weight, 0.0) : 1.0;
        split.bounds[i] = BoundsOf(group[i], ac_demand, settings);
        move_bounds[i] = {split.bounds[i].low - group[i].output_w,
                          split.bounds[i].high - group[i].output_w};
    }
    std::span<const double> weights(split.weights.data(), count);
    SplitWithin(weights, {move_bounds.data(), count}, grid_w, {split.moves.data(), count});
    SplitWithin(weights, {split.bounds.data(), count}, demand, {split.targets.data(), count});
}

/// The error's split leaning toward those whose way to their share lies in its direction;
/// nobody is asked to move against it, so load moves between batteries only as the grid
/// moves, and a slow battery is never left to take what a fast one was told to give up.
void Lean(std::span<const Participant> group, double grid_w, const BalanceSettings& settings,
          const Split& split, std::span<double> readings) {
    std::array<double, kMost> toward{};
    double sum = 0;
    for (std::size_t i = 0; i < split.count; ++i) {
        double way = split.targets[i] - group[i].output_w;
        toward[i] = std::max(grid_w < 0 ? -way : way, 0.0);
        sum += toward[i];
    }
    for (std::size_t i = 0; i < split.count; ++i) {
        double leaning = sum > 0 ? grid_w * toward[i] / sum : split.moves[i];
        readings[i] = split.moves[i] + settings.gain * (leaning - split.moves[i]);
    }
}

/// At a still grid, a battery whose time has come is stepped toward its share, within its
/// bounds: the grid it moves is the others' next error, which the leaning hands to the
/// battery on the other side of its share.
void Step(std::span<const Participant> group, double grid_w, const BalanceSettings& settings,
          const Split& split, std::span<double> readings) {
    const double step = settings.balance_step_w;
    if (settings.balance_rate_w_per_s <= 0 || step <= 0 ||
        std::abs(grid_w) >= MovingGridW(settings))
        return;
    for (std::size_t i = 0; i < split.count; ++i) {
        double way = split.targets[i] - group[i].output_w - readings[i];
        // A DC-coupled battery moves a few watts a cycle: it is not stepped.
        if (!group[i].may_step || !group[i].ac_charging || std::abs(way) < step) continue;
        double next = group[i].output_w + readings[i] + (way > 0 ? step : -step);
        next = std::clamp(next, split.bounds[i].low, split.bounds[i].high);
        readings[i] = next - group[i].output_w;
    }
}

} // namespace

double BalanceInterval(const BalanceSettings& settings) noexcept {
    if (settings.balance_rate_w_per_s <= 0 || settings.balance_step_w <= 0) return 0;
    return settings.balance_step_w / settings.balance_rate_w_per_s;
}

void ShareReadings(std::span<const Participant> group, double grid_w,
                   const BalanceSettings& settings, std::span<double> readings) {
    Split split;
    split.count = std::min({group.size(), readings.size(), kMost});
    SplitError(group, grid_w, settings, split);
    Lean(group, grid_w, settings, split, readings);
    Step(group, grid_w, settings, split, readings);
}

double Paced(double reading, double seconds, const BalanceSettings& settings) noexcept {
    if (settings.pace_w_per_s <= 0) return reading;
    // A battery heard from for the first time, or after a pause, gets at most 5 s worth.
    double cap = settings.pace_w_per_s * std::clamp(seconds, 0.0, 5.0);
    return std::clamp(reading, -cap, cap);
}

bool ChargesFromGrid(std::string_view battery_type) noexcept {
    constexpr std::array<std::string_view, 5> kDcCoupled{"HMA", "HMB", "HMJ", "HMK", "JPLS"};
    return std::ranges::none_of(kDcCoupled, [&](std::string_view dc_coupled) {
        return battery_type.starts_with(dc_coupled);
    });
}

} // namespace meteremu::ct002
