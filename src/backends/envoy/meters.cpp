// SPDX-License-Identifier: MIT
#include "backends/envoy/meters.hpp"

#include "backends/envoy/envoy_error.hpp"
#include "backends/envoy/json_fields.hpp"
#include "util/log_text.hpp"

#include <algorithm>

namespace meteremu::envoy {
namespace {

constexpr std::string_view kWhat = "/ivp/meters";
constexpr double kLargestExactInteger = 9007199254740992.0; // 2^53

MeterEntry ParseEntry(const json_t* object) {
    if (!json_is_object(object)) throw BadData("/ivp/meters: an entry is not an object");
    MeterEntry entry;
    double eid = RequireNumber(object, "eid", kWhat);
    // Any larger number could not be an exact integer, nor fit the eid (found by fuzzing).
    if (eid < 0 || eid > kLargestExactInteger) throw BadData("/ivp/meters: eid out of range");
    entry.eid = static_cast<std::uint64_t>(eid);
    entry.measurement_type = OptionalString(object, "measurementType").value_or("");
    entry.enabled = OptionalString(object, "state").value_or("") == "enabled";
    entry.phase_mode = OptionalString(object, "phaseMode").value_or("");
    double phases = OptionalNumber(object, "phaseCount").value_or(1);
    entry.phase_count = static_cast<int>(std::clamp(phases, 1.0, 3.0));
    entry.metering_status = OptionalString(object, "meteringStatus").value_or("");
    const json_t* flags = json_object_get(object, "statusFlags");
    size_t index;
    const json_t* flag;
    json_array_foreach(flags, index, flag) if (json_is_string(flag))
        entry.status_flags.emplace_back(json_string_value(flag));
    return entry;
}

void SelectSource(MeterSetup& setup) {
    bool any_consumption = false;
    for (const auto& meter : setup.meters) {
        bool net = meter.measurement_type == "net-consumption";
        bool total = meter.measurement_type == "total-consumption";
        any_consumption = any_consumption || net || total;
        if (!meter.enabled) continue;
        setup.phase_count = std::max(setup.phase_count, meter.phase_count);
        if ((net || total) && !setup.consumption) setup.consumption = meter;
        if (meter.measurement_type == "production" && !setup.production) setup.production = meter;
    }
    if (!setup.consumption) {
        setup.reason = setup.meters.empty() ? "it reports no CTs"
                       : any_consumption    ? "its consumption CT is disabled"
                                            : "it has no consumption CT";
        return;
    }
    if (setup.consumption->measurement_type == "net-consumption") {
        setup.source = GridSource::NetConsumption;
    } else if (setup.production) {
        setup.source = GridSource::TotalConsumption;
    } else {
        setup.reason = "its consumption CT measures the load only and no production CT is "
                       "enabled to subtract";
    }
}

} // namespace

bool MeterSetup::IsEnabled(std::uint64_t eid) const noexcept {
    return std::any_of(meters.begin(), meters.end(), [eid](const MeterEntry& meter) {
        return meter.eid == eid && meter.enabled;
    });
}

MeterSetup ParseMeters(std::string_view body) {
    JsonPtr root = ParseJsonBody(body, kWhat);
    if (json_is_object(root.get()) && json_object_get(root.get(), "error"))
        throw EnvoyError(ErrorKind::Missing, "/ivp/meters: the gateway answers an error object");
    if (!json_is_array(root.get())) throw BadData("/ivp/meters: not a JSON array");
    MeterSetup setup;
    size_t index;
    const json_t* entry;
    json_array_foreach(root.get(), index, entry) setup.meters.push_back(ParseEntry(entry));
    SelectSource(setup);
    return setup;
}

std::vector<std::string> MeterProblems(const MeterSetup& setup) {
    std::vector<std::string> problems;
    for (const auto& meter : setup.meters) {
        if (!meter.enabled) continue;
        std::string text;
        if (!meter.metering_status.empty() && meter.metering_status != "normal")
            text = "metering status " + LogText(meter.metering_status);
        for (const auto& flag : meter.status_flags)
            text += (text.empty() ? "flag " : ", flag ") + LogText(flag);
        if (!text.empty())
            problems.push_back("the " + LogText(meter.measurement_type) + " CT reports " + text);
    }
    return problems;
}

} // namespace meteremu::envoy
