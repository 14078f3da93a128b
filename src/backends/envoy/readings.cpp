// SPDX-License-Identifier: MIT
#include "backends/envoy/readings.hpp"

#include "backends/envoy/envoy_error.hpp"
#include "backends/envoy/json_fields.hpp"
#include "util/log_text.hpp"

#include <cmath>

namespace meteremu::envoy {
namespace {

constexpr std::string_view kWhat = "/ivp/meters/readings";

/// How far a reported power factor may be from P/S and still be believed (rounding to three
/// decimals of P, S and PF in the gateway stays far below this).
constexpr double kPowerFactorTolerance = 0.05;

ChannelValues ReadChannel(const json_t* channel) {
    if (!json_is_object(channel)) throw BadData("/ivp/meters/readings: a channel is not an object");
    ChannelValues values;
    values.active_power = RequireNumber(channel, "activePower", kWhat);
    values.apparent_power = std::fabs(RequireNumber(channel, "apparentPower", kWhat));
    values.reactive_power = OptionalNumber(channel, "reactivePower").value_or(0);
    values.voltage = RequireNumber(channel, "voltage", kWhat);
    values.current = std::fabs(RequireNumber(channel, "current", kWhat));
    values.power_factor = OptionalNumber(channel, "pwrFactor");
    values.frequency = RequireNumber(channel, "freq", kWhat);
    values.energy_delivered = RequireNumber(channel, "actEnergyDlvd", kWhat);
    values.energy_received = RequireNumber(channel, "actEnergyRcvd", kWhat);
    return values;
}

struct MeterValues {
    std::vector<ChannelValues> channels; ///< the first phase_count channels only
    double timestamp = 0;
};

MeterValues ReadMeter(const ReadingsDocument& document, const MeterEntry& meter, int phases) {
    const json_t* entry = document.Find(meter.eid);
    if (!entry)
        throw BadData("/ivp/meters/readings: no entry for the " + LogText(meter.measurement_type) +
                      " CT (eid " + std::to_string(meter.eid) + ")");
    const json_t* channels = json_object_get(entry, "channels");
    if (!json_is_array(channels) || json_array_size(channels) < static_cast<size_t>(phases))
        throw BadData("/ivp/meters/readings: the " + LogText(meter.measurement_type) +
                      " CT has fewer "
                      "channels than its " +
                      std::to_string(phases) + " phases");
    MeterValues values;
    values.timestamp = RequireNumber(entry, "timestamp", kWhat);
    for (int i = 0; i < phases; ++i)
        values.channels.push_back(ReadChannel(json_array_get(channels, static_cast<size_t>(i))));
    return values;
}

/// A channel's frequency; 0 on some CTs, then the other CT's channel 0
/// (docs/protocols/envoy.md#phase-mapping).
double Frequency(double own, const MeterValues* other, const MeterValues& self) {
    if (own > 0) return own;
    if (other && !other->channels.empty() && other->channels[0].frequency > 0)
        return other->channels[0].frequency;
    return self.channels[0].frequency;
}

} // namespace

ReadingsDocument::ReadingsDocument(std::string_view body) : root_(ParseJsonBody(body, kWhat)) {
    if (!json_is_array(root_.get())) throw BadData("/ivp/meters/readings: not a JSON array");
}

const json_t* ReadingsDocument::Find(std::uint64_t eid) const noexcept {
    size_t index;
    const json_t* entry;
    json_array_foreach(root_.get(), index, entry) {
        const json_t* value = json_object_get(entry, "eid");
        if (json_is_number(value) && json_number_value(value) == static_cast<double>(eid))
            return entry;
    }
    return nullptr;
}

double ChoosePowerFactor(std::optional<double> reported, double active, double apparent) noexcept {
    double computed = PowerFactor(active, apparent);
    // Without apparent power there is no power factor, whatever the gateway says (-1.0 on an
    // idle channel of 7.6.175).
    if (!reported || !std::isfinite(*reported) || !(apparent > 0)) return computed;
    if (std::fabs(*reported - computed) > kPowerFactorTolerance) return computed;
    return *reported;
}

Reading MapNetConsumption(const MeterSetup& setup, const ReadingsDocument& document) {
    const int phases = setup.phase_count;
    MeterValues grid = ReadMeter(document, *setup.consumption, phases);
    std::optional<MeterValues> production;
    if (setup.production) {
        try {
            production = ReadMeter(document, *setup.production, 1);
        } catch (const EnvoyError&) {
            // Only a frequency fallback: grid data stands without it.
        }
    }
    Reading reading;
    reading.measured_at = EpochTime(grid.timestamp);
    for (int i = 0; i < phases; ++i) {
        const ChannelValues& channel = grid.channels[static_cast<size_t>(i)];
        PhaseReading& phase = reading.phases[static_cast<size_t>(i)];
        phase.act_power = channel.active_power;
        phase.aprt_power = channel.apparent_power;
        phase.voltage = channel.voltage;
        phase.current = channel.current;
        phase.power_factor =
            ChoosePowerFactor(channel.power_factor, channel.active_power, channel.apparent_power);
        phase.frequency = Frequency(channel.frequency, production ? &*production : nullptr, grid);
        phase.import_wh = channel.energy_delivered;
        phase.export_wh = channel.energy_received;
    }
    return reading;
}

Reading MapTotalConsumption(const MeterSetup& setup, const ReadingsDocument& document) {
    const int phases = setup.phase_count;
    MeterValues load = ReadMeter(document, *setup.consumption, phases);
    MeterValues production = ReadMeter(document, *setup.production, phases);
    Reading reading;
    reading.measured_at = EpochTime(load.timestamp);
    for (int i = 0; i < phases; ++i) {
        const ChannelValues& l = load.channels[static_cast<size_t>(i)];
        const ChannelValues& p = production.channels[static_cast<size_t>(i)];
        PhaseReading& phase = reading.phases[static_cast<size_t>(i)];
        phase.act_power = l.active_power - p.active_power;
        double reactive = l.reactive_power - p.reactive_power;
        phase.aprt_power = std::hypot(phase.act_power, reactive);
        phase.voltage = l.voltage;
        phase.current = l.voltage > 0 ? phase.aprt_power / l.voltage : 0;
        phase.power_factor = PowerFactor(phase.act_power, phase.aprt_power);
        phase.frequency = Frequency(l.frequency, &production, load);
    }
    return reading;
}

} // namespace meteremu::envoy
