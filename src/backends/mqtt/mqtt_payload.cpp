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

/// One reference token with "~1" → "/" and "~0" → "~" (in that order, RFC 6901 section 4).
std::string Unescaped(std::string_view token) {
    std::string key;
    key.reserve(token.size());
    for (std::size_t i = 0; i < token.size(); ++i) {
        if (token[i] == '~' && i + 1 < token.size()) {
            key += token[++i] == '1' ? '/' : '~';
        } else {
            key += token[i];
        }
    }
    return key;
}

/// An array index: "0" or digits without a leading zero; "-" (past the end) names nothing.
std::optional<std::size_t> ArrayIndex(std::string_view token) noexcept {
    if (token.empty() || (token.size() > 1 && token[0] == '0')) return std::nullopt;
    std::size_t index = 0;
    auto [stop, error] = std::from_chars(token.data(), token.data() + token.size(), index);
    if (error != std::errc() || stop != token.data() + token.size()) return std::nullopt;
    return index;
}

const json_t* Child(const json_t* parent, std::string_view token) {
    if (json_is_object(parent)) {
        std::string key = Unescaped(token);
        return json_object_getn(parent, key.data(), key.size());
    }
    if (json_is_array(parent)) {
        auto index = ArrayIndex(token);
        return index ? json_array_get(parent, *index) : nullptr;
    }
    return nullptr;
}

const json_t* Resolve(const json_t* root, std::string_view pointer) {
    const json_t* node = root;
    std::string_view rest = pointer.substr(1);
    while (node) {
        std::size_t slash = rest.find('/');
        node = Child(node, rest.substr(0, slash));
        if (slash == std::string_view::npos) break;
        rest.remove_prefix(slash + 1);
    }
    return node;
}

double NumberAt(std::string_view payload, std::string_view pointer) {
    json_error_t error;
    JsonPtr root(json_loadb(payload.data(), payload.size(), JSON_DECODE_ANY, &error));
    if (!root)
        throw PayloadError(PayloadProblem::Unparsable,
                           "not JSON: " + Quoted(payload) + " (" + LogText(error.text) + ")");
    const json_t* value = Resolve(root.get(), pointer);
    if (!value)
        throw PayloadError(PayloadProblem::MissingField,
                           "no " + Quoted(pointer) + " in " + Quoted(payload));
    // A number sent as a string ("230.5") counts: some firmwares quote every value.
    std::optional<double> number;
    if (json_is_number(value)) number = json_number_value(value);
    if (json_is_string(value))
        number = PlainNumber({json_string_value(value), json_string_length(value)});
    if (!number || !std::isfinite(*number))
        throw PayloadError(PayloadProblem::NotANumber,
                           Quoted(pointer) + " is not a number in " + Quoted(payload));
    return *number;
}

} // namespace

bool IsJsonPointer(std::string_view pointer) noexcept {
    if (pointer.empty() || pointer[0] != '/') return false;
    for (std::size_t i = 0; i < pointer.size(); ++i) {
        if (pointer[i] != '~') continue;
        if (i + 1 >= pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1'))
            return false;
        ++i;
    }
    return true;
}

double ParsePayload(std::string_view payload, std::string_view pointer) {
    if (!pointer.empty()) return NumberAt(payload, pointer);
    auto number = PlainNumber(payload);
    if (!number) throw PayloadError(PayloadProblem::Unparsable, "not a number: " + Quoted(payload));
    return *number;
}

} // namespace meteremu::mqtt
