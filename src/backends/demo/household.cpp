// SPDX-License-Identifier: MIT
#include "backends/demo/household.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <numbers>

namespace meteremu::demo {
namespace {

constexpr Appliance kAppliances[] = {
    {"kettle", Phase::A, 2000, 1.00, 3, 4, 6, 22},
    {"microwave", Phase::A, 1100, 0.90, 4, 2, 7, 21},
    {"heat pump", Phase::A, 1300, 0.90, 30, 6, 0, 24},
    {"washing machine", Phase::B, 1900, 0.85, 60, 1, 8, 20},
    {"television", Phase::B, 120, 0.60, 120, 1, 18, 23},
    {"oven", Phase::C, 2200, 1.00, 40, 1, 17, 20},
    {"dishwasher", Phase::C, 1800, 0.95, 30, 1, 19, 23},
};

constexpr std::array<double, kPhaseCount> kBaseWatts{110, 70, 140};
constexpr double kBasePowerFactor = 0.9;
constexpr double kFridgeWatts = 90;   // on phase B, 20 minutes on, 30 off
constexpr double kPvPeakWatts = 5400; // a three-phase inverter: a third on each phase
constexpr double kSunrise = 6.5, kSunset = 20.0;
constexpr double kNominalVolts = 230, kNominalHertz = 50;
/// Longest gap integrated as one step (after a suspend the simulation does not jump).
constexpr double kMaxStepSeconds = 60;

double HourOfDay(WallTime now) {
    std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    std::tm local{};
    localtime_r(&seconds, &local);
    auto fraction = std::chrono::duration<double>(now.time_since_epoch()).count();
    fraction -= std::floor(fraction);
    return local.tm_hour + local.tm_min / 60.0 + (local.tm_sec + fraction) / 3600.0;
}

double Vars(double watts, double power_factor) {
    return watts * std::tan(std::acos(power_factor));
}

bool FridgeRunning(WallTime now) {
    auto minutes = std::chrono::duration_cast<std::chrono::minutes>(now.time_since_epoch());
    return minutes.count() % 50 < 20;
}

} // namespace

double Drift::Step(Random& random, double dt) noexcept {
    double keep = std::exp(-dt / tau_);
    value_ = value_ * keep + sigma_ * std::sqrt(1 - keep * keep) * random.Normal();
    value_ = std::clamp(value_, -3 * sigma_, 3 * sigma_);
    return value_;
}

Household::Household(std::uint64_t seed) : random_(seed) {
    // A meter that has been in service a few years.
    for (size_t i = 0; i < kPhaseCount; ++i) {
        import_wh_[i] = random_.Uniform(800'000, 2'500'000);
        export_wh_[i] = random_.Uniform(300'000, 1'200'000);
    }
}

void Household::SwitchAppliances(WallTime now, double hour, double dt) {
    std::erase_if(running_, [now](const Running& r) { return r.until <= now; });
    for (const Appliance& appliance : kAppliances) {
        bool busy = std::any_of(running_.begin(), running_.end(),
                                [&](const Running& r) { return r.appliance == &appliance; });
        double chance_per_second =
            appliance.per_day / ((appliance.to_hour - appliance.from_hour) * 3600);
        bool starts = random_.Uniform() < 1 - std::exp(-chance_per_second * dt);
        if (busy || hour < appliance.from_hour || hour >= appliance.to_hour || !starts) continue;
        auto minutes = appliance.minutes * random_.Uniform(0.7, 1.3);
        auto length = std::chrono::duration_cast<WallTime::duration>(
            std::chrono::duration<double>(minutes * 60));
        running_.push_back({&appliance, now + length});
    }
}

std::array<Household::PhaseLoad, kPhaseCount> Household::Loads(WallTime now) {
    std::array<PhaseLoad, kPhaseCount> loads;
    for (size_t i = 0; i < kPhaseCount; ++i) {
        double watts = kBaseWatts[i] * (1 + 0.05 * random_.Normal());
        loads[i] = {watts, Vars(watts, kBasePowerFactor)};
    }
    if (FridgeRunning(now)) {
        loads[1].watts += kFridgeWatts;
        loads[1].vars += Vars(kFridgeWatts, 0.7);
    }
    for (const Running& r : running_) {
        auto& load = loads[static_cast<size_t>(r.appliance->phase)];
        double watts = r.appliance->watts * (1 + 0.02 * random_.Normal());
        load.watts += watts;
        load.vars += Vars(watts, r.appliance->power_factor);
    }
    return loads;
}

double Household::PvWattsPerPhase(double hour) const noexcept {
    if (hour <= kSunrise || hour >= kSunset) return 0;
    double sun = std::sin(std::numbers::pi * (hour - kSunrise) / (kSunset - kSunrise));
    double cloud_cover = std::clamp(0.8 + clouds_.Value(), 0.3, 1.0);
    return kPvPeakWatts / kPhaseCount * std::pow(sun, 1.5) * cloud_cover;
}

PhaseReading Household::Measure(size_t i, const PhaseLoad& load, double pv_watts, double dt) {
    PhaseReading phase;
    phase.act_power = load.watts - pv_watts;
    phase.aprt_power = std::hypot(phase.act_power, load.vars);
    // Importing pulls the voltage down a little, exporting pushes it up.
    phase.voltage = kNominalVolts + voltage_[i].Step(random_, dt) - 0.0015 * phase.act_power;
    phase.current = phase.aprt_power / phase.voltage;
    phase.power_factor = PowerFactor(phase.act_power, phase.aprt_power);
    phase.frequency = kNominalHertz + frequency_.Value();
    if (phase.act_power > 0)
        import_wh_[i] += phase.act_power * dt / 3600;
    else
        export_wh_[i] += -phase.act_power * dt / 3600;
    phase.import_wh = import_wh_[i];
    phase.export_wh = export_wh_[i];
    return phase;
}

Reading Household::Step(WallTime now) {
    double dt = last_ ? std::chrono::duration<double>(now - *last_).count() : 0;
    dt = std::clamp(dt, 0.0, kMaxStepSeconds);
    last_ = now;
    double hour = HourOfDay(now);
    clouds_.Step(random_, dt);
    frequency_.Step(random_, dt);
    SwitchAppliances(now, hour, dt);
    auto loads = Loads(now);
    double pv_watts = PvWattsPerPhase(hour);
    Reading reading;
    reading.measured_at = now;
    for (size_t i = 0; i < kPhaseCount; ++i)
        reading.phases[i] = Measure(i, loads[i], pv_watts, dt);
    return reading;
}

} // namespace meteremu::demo
