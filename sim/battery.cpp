// SPDX-License-Identifier: MIT
#include "battery.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace meteremu::sim {

Battery::Battery(BatterySpec spec, std::unique_ptr<ControlLaw> law)
    : spec_(std::move(spec)), law_(std::move(law)), setpoint_w_(spec_.initial_output_w),
      output_w_(spec_.initial_output_w), soc_(spec_.initial_soc) {}

void Battery::OnReading(double reading_w) {
    setpoint_w_ = law_->Next(reading_w, output_w_, setpoint_w_);
}

double Battery::Limited(double watts) const noexcept {
    double high = soc_ > spec_.min_soc ? spec_.max_discharge_w : 0.0;
    double low = soc_ < 1.0 ? -spec_.max_charge_w : 0.0;
    return std::clamp(watts, low, std::max(low, high));
}

void Battery::Advance(double seconds) {
    double target = Limited(setpoint_w_);
    double most = spec_.slew_w_per_s * seconds;
    output_w_ += std::clamp(target - output_w_, -most, most);
    output_w_ = Limited(output_w_);
    if (spec_.capacity_wh > 0)
        soc_ = std::clamp(soc_ - output_w_ * seconds / 3600.0 / spec_.capacity_wh, 0.0, 1.0);
}

double Battery::DischargeHeadroom() const noexcept {
    return soc_ > spec_.min_soc ? std::max(0.0, spec_.max_discharge_w - output_w_) : 0.0;
}

double Battery::ChargeHeadroom() const noexcept {
    return soc_ < 1.0 ? std::max(0.0, output_w_ + spec_.max_charge_w) : 0.0;
}

namespace {

Battery Hmg50() {
    // Loop 0.8 s, then a 1.2 s cooldown after each parsed reading (the default setting).
    BatterySpec spec{
        .model = "hmg50", .poll_interval_s = 0.8, .poll_jitter_s = 0.1, .cooldown_s = 1.2};
    return Battery(spec, std::make_unique<MarstekRampLaw>(MarstekRampSpec{}));
}

/// The same firmware with its cooldown set to 0 (BLE command 0x22): a reading every 0.8 s.
Battery Hmg50Fast() {
    BatterySpec spec{.model = "hmg50-fast", .poll_interval_s = 0.8, .poll_jitter_s = 0.1};
    return Battery(spec, std::make_unique<MarstekRampLaw>(MarstekRampSpec{}));
}

/// A Venus V2 that reads every ~3.1 s, as one of a mixed fleet measured in the field: the
/// same firmware with a longer cooldown.
Battery Hmg50Slow() {
    BatterySpec spec{
        .model = "hmg50-slow", .poll_interval_s = 0.8, .poll_jitter_s = 0.1, .cooldown_s = 2.3};
    return Battery(spec, std::make_unique<MarstekRampLaw>(MarstekRampSpec{}));
}

Battery VenusE3() {
    BatterySpec spec{.model = "venus-e3", .poll_interval_s = 0.45, .poll_jitter_s = 0.05};
    MarstekRampSpec law{.import_hold_w = 0, .deadband_w = 10, .whole_watts = true};
    return Battery(spec, std::make_unique<MarstekRampLaw>(law));
}

Battery VenusD() {
    BatterySpec spec{.model = "venus-d",
                     .poll_interval_s = 1.0,
                     .poll_jitter_s = 0.1,
                     .max_discharge_w = 2200,
                     .max_charge_w = 800,
                     .capacity_wh = 2240};
    return Battery(spec, std::make_unique<VenusDLaw>(VenusDSpec{}));
}

Battery B2500() {
    // DC-coupled: the inverter follows the law's per-cycle step; 9 W before the first step
    // is what the reference trajectory starts from (docs/simulator.md#battery-models).
    BatterySpec spec{.model = "b2500",
                     .poll_interval_s = 2.0,
                     .poll_jitter_s = 1.0,
                     .slew_w_per_s = 100,
                     .max_discharge_w = 800,
                     .max_charge_w = 0,
                     .capacity_wh = 2240,
                     .initial_output_w = 9};
    return Battery(spec, std::make_unique<B2500Law>(B2500Spec{}));
}

Battery Hoymiles() {
    BatterySpec spec{.model = "hoymiles",
                     .poll_interval_s = 0.5,
                     .poll_jitter_s = 0.01,
                     .waits_for_reply = false,
                     .slew_w_per_s = 400,
                     .max_discharge_w = 800,
                     .max_charge_w = 800,
                     .capacity_wh = 2240};
    return Battery(spec, std::make_unique<IntegratorLaw>(IntegratorSpec{}));
}

} // namespace

std::optional<Battery> MakeBattery(std::string_view model) {
    if (model == "hmg50") return Hmg50();
    if (model == "hmg50-fast") return Hmg50Fast();
    if (model == "hmg50-slow") return Hmg50Slow();
    if (model == "venus-e3") return VenusE3();
    if (model == "venus-d") return VenusD();
    if (model == "b2500") return B2500();
    if (model == "hoymiles") return Hoymiles();
    return std::nullopt;
}

std::vector<std::string> BatteryModelNames() {
    return {"hmg50", "hmg50-fast", "hmg50-slow", "venus-e3", "venus-d", "b2500", "hoymiles"};
}

} // namespace meteremu::sim
