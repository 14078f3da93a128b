// SPDX-License-Identifier: MIT
// GET /ivp/meters/readings → a Reading, per the mapping of docs/protocols/envoy.md#phase-mapping:
// entries matched to the enabled meters by eid, channels at or above phaseCount ignored, power
// factor recomputed when the reported one cannot be right, frequency from the gateway. A body that
// lacks any value the mapping needs is rejected whole: never a partial reading.
#pragma once

#include "backends/envoy/meters.hpp"
#include "core/reading.hpp"
#include "util/json.hpp"

#include <string_view>

namespace meteremu::envoy {

/// The parsed readings array, entries looked up by eid.
class ReadingsDocument {
public:
    /// Throws BadData unless `body` is a JSON array.
    explicit ReadingsDocument(std::string_view body);
    /// The entry for `eid`, or null.
    const json_t* Find(std::uint64_t eid) const noexcept;

private:
    JsonPtr root_;
};

/// One channel's values as the mapping uses them.
struct ChannelValues {
    double active_power = 0;
    double apparent_power = 0;
    double reactive_power = 0;
    double voltage = 0;
    double current = 0;
    std::optional<double> power_factor;
    double frequency = 0;
    double energy_delivered = 0; ///< actEnergyDlvd, Wh
    double energy_received = 0;  ///< actEnergyRcvd, Wh
};

/// The reported power factor if it can be right (within −1…1 and close to P/S), else P/S.
double ChoosePowerFactor(std::optional<double> reported, double active, double apparent) noexcept;

/// Net-consumption CT: grid power and energy straight from the consumption meter.
/// Throws BadData when the consumption eid or a needed value is missing.
Reading MapNetConsumption(const MeterSetup& setup, const ReadingsDocument& document);

/// Total-consumption CT: grid = load − production per phase, as complex power (P and Q
/// subtract exactly; S, current and power factor follow from them). Energy is left at 0:
/// the caller integrates it.
Reading MapTotalConsumption(const MeterSetup& setup, const ReadingsDocument& document);

} // namespace meteremu::envoy
