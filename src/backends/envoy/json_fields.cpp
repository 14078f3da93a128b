// SPDX-License-Identifier: MIT
#include "backends/envoy/json_fields.hpp"

#include "util/log_text.hpp"

#include <algorithm>
#include <cmath>

namespace meteremu::envoy {

JsonPtr ParseJsonBody(std::string_view text, std::string_view what) {
    size_t start = text.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos) throw BadData(std::string(what) + ": empty body");
    if (text[start] == '<') throw BadData(std::string(what) + ": an HTML page instead of JSON");
    json_error_t error;
    JsonPtr root(json_loadb(text.data(), text.size(), JSON_DECODE_ANY, &error));
    if (!root)
        throw BadData(std::string(what) + ": invalid JSON at byte " +
                      std::to_string(error.position) + " (" + LogText(error.text, 120) + ")");
    return root;
}

std::optional<double> OptionalNumber(const json_t* object, const char* key) {
    const json_t* value = json_object_get(object, key);
    if (!value || !json_is_number(value)) return std::nullopt;
    double number = json_number_value(value);
    if (!std::isfinite(number)) return std::nullopt;
    return number;
}

double RequireNumber(const json_t* object, const char* key, std::string_view what) {
    auto number = OptionalNumber(object, key);
    if (!number) throw BadData(std::string(what) + ": \"" + key + "\" is missing or not a number");
    return *number;
}

std::optional<std::string> OptionalString(const json_t* object, const char* key) {
    const json_t* value = json_object_get(object, key);
    if (!value || !json_is_string(value)) return std::nullopt;
    return std::string(json_string_value(value), json_string_length(value));
}

WallTime EpochTime(double seconds) noexcept {
    // 9e9 s is in 2255; the clock's 64-bit nanoseconds end in 2262.
    constexpr double kLatest = 9e9;
    double whole = std::floor(std::clamp(std::isnan(seconds) ? 0.0 : seconds, 0.0, kLatest));
    return WallTime(std::chrono::seconds(static_cast<std::int64_t>(whole)));
}

} // namespace meteremu::envoy
