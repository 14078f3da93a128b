// SPDX-License-Identifier: MIT
#include "control_laws.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>

namespace meteremu::sim {

double MarstekRampLaw::Gain(int ramp) noexcept {
    // Discharge (+3 … +5) and charge (−3 … −5) accelerate differently: a charge-direction
    // error is taken faster.
    constexpr std::array<double, 3> kDischarge{100, 200, 400};
    constexpr std::array<double, 3> kCharge{180, 350, 410};
    int magnitude = std::min(5, std::abs(ramp));
    if (magnitude <= 2) return 55;
    return ramp > 0 ? kDischarge[magnitude - 3] : kCharge[magnitude - 3];
}

bool MarstekRampLaw::HoldsUnexplainedJump(double reading_w, double output_w) noexcept {
    bool jump = have_last_ && std::abs(reading_w - last_reading_w_) > spec_.jump_w &&
                std::abs(output_w - last_output_w_) < spec_.explained_w;
    bool confirmed = jump_pending_ && std::abs(reading_w - pending_reading_w_) <= spec_.jump_w;
    if (jump && !confirmed) {
        jump_pending_ = true;
        pending_reading_w_ = reading_w;
        return true;
    }
    jump_pending_ = false;
    have_last_ = true;
    last_reading_w_ = reading_w;
    last_output_w_ = output_w;
    return false;
}

void MarstekRampLaw::AdvanceRamp(double reading_w) noexcept {
    int direction = reading_w > 0 ? 1 : -1;
    if (ramp_ == 0 || (ramp_ > 0) != (direction > 0)) {
        ramp_ = direction;
    } else if (std::abs(reading_w) > std::abs(ramp_reading_w_)) {
        // The error grew since the last step: brake, but keep the direction.
        if (std::abs(ramp_) > 1) ramp_ -= direction;
    } else {
        ramp_ = std::clamp(ramp_ + direction, -5, 5);
    }
    ramp_reading_w_ = reading_w;
}

double MarstekRampLaw::Next(double reading_w, double output_w, double setpoint_w) {
    if (HoldsUnexplainedJump(reading_w, output_w)) return setpoint_w;
    double magnitude = std::abs(reading_w);
    if (magnitude < spec_.idle_band_w && std::abs(output_w) < 1) return setpoint_w;
    if (reading_w >= 0 && reading_w < spec_.import_hold_w) return setpoint_w;
    if (magnitude <= spec_.deadband_w) return setpoint_w;
    AdvanceRamp(reading_w);
    // The firmware's first term is √|g² − ref²| + 10 with ref the target (0 W here).
    double step = std::min({magnitude + 10, Gain(ramp_), magnitude});
    if (spec_.whole_watts) step = std::floor(step);
    double next = output_w + (reading_w > 0 ? step : -step);
    return std::clamp(next, -spec_.limit_w, spec_.limit_w);
}

double VenusDLaw::Next(double reading_w, double /*output_w*/, double setpoint_w) {
    double error = reading_w - spec_.standard_w;
    if (std::abs(error) <= spec_.deadband_w) return setpoint_w;
    double next = setpoint_w + spec_.ratio * error - 5;
    return std::clamp(next, -spec_.max_charge_w, spec_.max_discharge_w);
}

double B2500Law::Next(double reading_w, double output_w, double /*setpoint_w*/) {
    if (std::abs(reading_w) <= spec_.hysteresis_w) return output_w;
    double wanted = spec_.factor * reading_w;
    double next = output_w + std::clamp(wanted, -spec_.step_w, spec_.step_w);
    next = std::clamp(next, reached_min_ ? spec_.min_output_w : 0.0, spec_.max_output_w);
    if (next >= spec_.min_output_w) reached_min_ = true;
    return next;
}

double IntegratorLaw::Next(double reading_w, double output_w, double /*setpoint_w*/) {
    return std::clamp(output_w + spec_.gain * reading_w, -spec_.max_charge_w,
                      spec_.max_discharge_w);
}

} // namespace meteremu::sim
