// SPDX-License-Identifier: MIT
#include "core/signal_shaping.hpp"

#include <algorithm>
#include <cmath>

namespace meteremu {
namespace {

void ScaleAndOffset(PhaseReading& phase, double scale, double offset) noexcept {
    phase.act_power = phase.act_power * scale + offset;
    phase.current *= std::abs(scale);
    phase.aprt_power *= std::abs(scale);
}

/// Moves `phase` from `before` toward its value by at most `max_step` watts.
void LimitSlew(PhaseReading& phase, const PhaseReading& before, double max_step) noexcept {
    double step = std::clamp(phase.act_power - before.act_power, -max_step, max_step);
    phase.act_power = before.act_power + step;
}

} // namespace

bool SignalShaping::Active() const noexcept {
    return *this != SignalShaping{};
}

Reading Shape(const Reading& reading, const SignalShaping& shaping,
              const Reading* previous) noexcept {
    if (!shaping.Active()) return reading;
    Reading shaped = reading;
    double seconds =
        previous
            ? std::chrono::duration<double>(reading.received_at - previous->received_at).count()
            : 0;
    bool limit = previous && shaping.slew_limit > 0 && seconds >= 0;
    for (std::size_t i = 0; i < kPhaseCount; ++i) {
        PhaseReading& phase = shaped.phases[i];
        ScaleAndOffset(phase, shaping.scale[i], shaping.offset[i]);
        if (limit) LimitSlew(phase, previous->phases[i], shaping.slew_limit * seconds);
        phase.aprt_power = std::max(phase.aprt_power, std::abs(phase.act_power));
        phase.power_factor = PowerFactor(phase.act_power, phase.aprt_power);
    }
    return shaped;
}

} // namespace meteremu
