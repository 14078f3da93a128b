// SPDX-License-Identifier: MIT
#include "backends/envoy/production_json.hpp"

#include "backends/envoy/envoy_error.hpp"
#include "backends/envoy/json_fields.hpp"

#include <algorithm>
#include <cmath>

namespace meteremu::envoy {
namespace {

constexpr std::string_view kWhat = "/production.json";

const json_t* ActiveNetConsumption(const json_t* root) {
    const json_t* consumption = json_object_get(root, "consumption");
    size_t index;
    const json_t* entry;
    json_array_foreach(consumption, index, entry) {
        if (OptionalString(entry, "measurementType").value_or("") != "net-consumption") continue;
        if (OptionalNumber(entry, "activeCount").value_or(0) > 0) return entry;
    }
    return nullptr;
}

/// One line or the aggregate. On 8.3.x current and apparent power are signed per line, so
/// they are taken as magnitudes, and S is never below |P|.
PhaseReading ReadLine(const json_t* line) {
    if (!json_is_object(line)) throw BadData("/production.json: a line is not an object");
    PhaseReading phase;
    phase.act_power = RequireNumber(line, "wNow", kWhat);
    phase.voltage = RequireNumber(line, "rmsVoltage", kWhat);
    phase.current = std::fabs(RequireNumber(line, "rmsCurrent", kWhat));
    phase.aprt_power =
        std::max(std::fabs(RequireNumber(line, "apprntPwr", kWhat)), std::fabs(phase.act_power));
    phase.power_factor = PowerFactor(phase.act_power, phase.aprt_power);
    return phase;
}

} // namespace

std::optional<ProductionJsonGrid> ParseProductionJsonGrid(std::string_view body) {
    JsonPtr root = ParseJsonBody(body, kWhat);
    if (!json_is_object(root.get())) throw BadData("/production.json: not a JSON object");
    const json_t* net = ActiveNetConsumption(root.get());
    if (!net) return std::nullopt;
    ProductionJsonGrid grid;
    if (auto time = OptionalNumber(net, "readingTime")) grid.reading.measured_at = EpochTime(*time);
    const json_t* lines = json_object_get(net, "lines");
    size_t count = std::min(json_array_size(lines), kPhaseCount);
    if (count == 0) {
        grid.reading.phases[0] = ReadLine(net);
        return grid;
    }
    for (size_t i = 0; i < count; ++i)
        grid.reading.phases[i] = ReadLine(json_array_get(lines, i));
    grid.lines = static_cast<int>(count);
    return grid;
}

} // namespace meteremu::envoy
