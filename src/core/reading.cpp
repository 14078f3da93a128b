// SPDX-License-Identifier: MIT
#include "core/reading.hpp"

#include <algorithm>
#include <cmath>

namespace meteremu {
namespace {

template <class Member>
double Sum(const Reading& reading, Member member) noexcept {
    double total = 0;
    for (const auto& phase : reading.phases)
        total += phase.*member;
    return total;
}

} // namespace

double Reading::TotalActPower() const noexcept {
    return Sum(*this, &PhaseReading::act_power);
}
double Reading::TotalAprtPower() const noexcept {
    return Sum(*this, &PhaseReading::aprt_power);
}
double Reading::TotalCurrent() const noexcept {
    return Sum(*this, &PhaseReading::current);
}
double Reading::TotalImportWh() const noexcept {
    return Sum(*this, &PhaseReading::import_wh);
}
double Reading::TotalExportWh() const noexcept {
    return Sum(*this, &PhaseReading::export_wh);
}

double PowerFactor(double act_power, double aprt_power) noexcept {
    if (!(aprt_power > 0) || !std::isfinite(act_power)) return 0;
    return std::clamp(act_power / aprt_power, -1.0, 1.0);
}

} // namespace meteremu
