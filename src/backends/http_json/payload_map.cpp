// SPDX-License-Identifier: MIT
#include "backends/http_json/payload_map.hpp"

#include "util/json.hpp"
#include "util/log_text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace meteremu::http_json {
namespace {

/// Far above any grid connection a battery follows: a larger value is a broken payload.
constexpr double kMaxWatts = 1e7;
/// 10 TWh: far above any meter's lifetime count.
constexpr double kMaxWattHours = 1e13;

PayloadError Unparsable(const std::string& message) {
    return PayloadError(PayloadError::Kind::Unparsable, message);
}

JsonPtr ParseBody(std::string_view body) {
    size_t start = body.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos) throw Unparsable("empty body");
    if (body[start] == '<') throw Unparsable("an HTML page instead of JSON");
    json_error_t error;
    JsonPtr root(json_loadb(body.data(), body.size(), 0, &error));
    if (!root)
        throw Unparsable("invalid JSON at byte " + std::to_string(error.position) + " (" +
                         LogText(error.text, 80) + ")");
    return root;
}

/// A JSON number, or a string that is exactly a decimal number (some firmware quotes them).
std::optional<double> NumberAt(const json_t* root, const JsonPointer& pointer) {
    const json_t* value = pointer.Resolve(root);
    double number = 0;
    if (json_is_number(value)) {
        number = json_number_value(value);
    } else if (json_is_string(value)) {
        const char* text = json_string_value(value);
        const char* end = text + json_string_length(value);
        auto [stop, error] = std::from_chars(text, end, number);
        if (error != std::errc() || stop != end || stop == text) return std::nullopt;
    } else {
        return std::nullopt;
    }
    if (!std::isfinite(number)) return std::nullopt;
    return number;
}

double RequireNumber(const json_t* root, const JsonPointer& pointer) {
    auto number = NumberAt(root, pointer);
    if (!number)
        throw PayloadError(PayloadError::Kind::MissingField,
                           "no number at \"" + LogText(pointer.Text(), 80) + "\"");
    return *number;
}

double CheckedWatts(double watts, const JsonPointer& where) {
    if (!std::isfinite(watts) || std::abs(watts) > kMaxWatts)
        throw Unparsable("power at \"" + LogText(where.Text(), 80) + "\" is out of range");
    return watts;
}

double Power(const json_t* root, const PowerField& field, const PayloadMap& map) {
    double raw = 0;
    if (field.import && field.export_)
        raw = RequireNumber(root, *field.import) - RequireNumber(root, *field.export_);
    else if (field.optional)
        raw = NumberAt(root, field.net).value_or(0);
    else
        raw = RequireNumber(root, field.net);
    double watts = raw * map.scale;
    return CheckedWatts(map.invert ? -watts : watts, field.import ? *field.import : field.net);
}

double Energy(const json_t* root, const JsonPointer& pointer, double scale) {
    double wh = RequireNumber(root, pointer) * scale;
    if (!(wh >= 0 && wh <= kMaxWattHours))
        throw Unparsable("energy at \"" + LogText(pointer.Text(), 80) + "\" is out of range");
    return wh;
}

/// A detail's value, or 0 when the device does not report it (or reports nonsense).
double Detail(const json_t* root, const std::optional<JsonPointer>& pointer, double limit) {
    if (!pointer) return 0;
    double value = NumberAt(root, *pointer).value_or(0);
    return std::abs(value) <= limit ? value : 0;
}

void FillDetails(const json_t* root, const PhaseDetails& details, bool invert,
                 PhaseReading& phase) {
    phase.voltage = std::abs(Detail(root, details.voltage, 1e4));
    phase.current = std::abs(Detail(root, details.current, 1e5));
    phase.frequency = std::abs(Detail(root, details.frequency, 1e3));
    phase.aprt_power = std::abs(Detail(root, details.aprt_power, kMaxWatts));
    if (details.power_factor) {
        double factor = std::clamp(Detail(root, details.power_factor, 1.5), -1.0, 1.0);
        phase.power_factor = invert ? -factor : factor;
    } else {
        phase.power_factor = PowerFactor(phase.act_power, phase.aprt_power);
    }
}

} // namespace

Reading MapPayload(std::string_view body, const PayloadMap& map) {
    JsonPtr root = ParseBody(body);
    Reading reading;
    for (size_t i = 0; i < map.power.size() && i < kPhaseCount; ++i)
        reading.phases[i].act_power = Power(root.get(), map.power[i], map);
    for (size_t i = 0; i < map.energy.size() && i < kPhaseCount; ++i) {
        reading.phases[i].import_wh = Energy(root.get(), map.energy[i].import, map.energy_scale);
        reading.phases[i].export_wh = Energy(root.get(), map.energy[i].export_, map.energy_scale);
    }
    for (size_t i = 0; i < kPhaseCount; ++i)
        FillDetails(root.get(), map.details[i], map.invert, reading.phases[i]);
    return reading;
}

} // namespace meteremu::http_json
