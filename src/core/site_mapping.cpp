// SPDX-License-Identifier: MIT
#include "core/site_mapping.hpp"

namespace meteremu {
namespace {

/// First non-zero value: a single-phase source fills channel 0 only.
template <class Member>
double FirstNonZero(const Reading& reading, Member member) noexcept {
    for (const auto& phase : reading.phases)
        if (phase.*member != 0) return phase.*member;
    return 0;
}

PhaseReading Combine(const Reading& reading) noexcept {
    PhaseReading combined;
    combined.act_power = reading.TotalActPower();
    combined.aprt_power = reading.TotalAprtPower();
    combined.current = reading.TotalCurrent();
    combined.import_wh = reading.TotalImportWh();
    combined.export_wh = reading.TotalExportWh();
    combined.voltage = FirstNonZero(reading, &PhaseReading::voltage);
    combined.frequency = FirstNonZero(reading, &PhaseReading::frequency);
    combined.power_factor = PowerFactor(combined.act_power, combined.aprt_power);
    return combined;
}

} // namespace

Reading MapToSite(const Reading& reading, const SiteLayout& layout) noexcept {
    if (layout.phases != 1) return reading;
    Reading mapped = reading;
    mapped.phases = {};
    mapped[layout.phase] = Combine(reading);
    return mapped;
}

} // namespace meteremu
