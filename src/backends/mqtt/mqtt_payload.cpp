// SPDX-License-Identifier: MIT
#include "backends/mqtt/mqtt_payload.hpp"

#include "util/json.hpp"
#include "util/log_text.hpp"

#include <charconv>
#include <cmath>
#include <optional>

namespace meteremu::mqtt {
namespace {

constexpr std::size_t kQuoteLimit = 40;

std::string_view Trimmed(std::string_view text) noexcept {
    constexpr std::string_view kSpace = " \t\r\n";
    std::size_t start = text.find_first_not_of(kSpace);
    if (start == std::string_view::npos) return {};
    return text.substr(start, text.find_last_not_of(kSpace) - start + 1);
}

std::string Quoted(std::string_view text) {
    return "\"" + LogText(text, kQuoteLimit) + "\"";
}

/// A finite decimal number and nothing else ("nan", which ESPHome sends for a sensor without
/// a state, is none).
std::optional<double> PlainNumber(std::string_view text) noexcept {
    std::string_view trimmed = Trimmed(text);
    double value = 0;
    const char* end = trimmed.data() + trimmed.size();
    auto [stop, error] = std::from_chars(trimmed.data(), end, value);
    if (trimmed.empty() || error != std::errc() || stop != end || !std::isfinite(value))
        return std::nullopt;
    return value;
}

double NumberAt(std::string_view payload, const JsonPointer& pointer) {
    json_error_t error;
    JsonPtr root(json_loadb(payload.data(), payload.size(), JSON_DECODE_ANY, &error));
    if (!root)
        throw PayloadError(PayloadProblem::Unparsable,
                           "not JSON: " + Quoted(payload) + " (" + LogText(error.text) + ")");
    const json_t* value = pointer.Resolve(root.get());
    if (!value)
        throw PayloadError(PayloadProblem::MissingField,
                           "no " + Quoted(pointer.Text()) + " in " + Quoted(payload));
    // A number sent as a string ("230.5") counts: some firmwares quote every value.
    std::optional<double> number;
    if (json_is_number(value)) number = json_number_value(value);
    if (json_is_string(value))
        number = PlainNumber({json_string_value(value), json_string_length(value)});
    if (!number || !std::isfinite(*number))
        throw PayloadError(PayloadProblem::NotANumber,
                           Quoted(pointer.Text()) + " is not a number in " + Quoted(payload));
    return *number;
}

} // namespace

double ParsePayload(std::string_view payload, const JsonPointer& pointer) {
    if (!pointer.Empty()) return NumberAt(payload, pointer);
    auto number = PlainNumber(payload);
    if (!number) throw PayloadError(PayloadProblem::Unparsable, "not a number: " + Quoted(payload));
    return *number;
}

} // namespace meteremu::mqtt
