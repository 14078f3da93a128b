// SPDX-License-Identifier: MIT
#include "util/json_writer.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

namespace meteremu::json {
namespace {

bool AllZeroDigits(std::string_view text) {
    return std::ranges::all_of(text, [](char c) { return c == '0' || c == '.'; });
}

} // namespace

void AppendFixed(std::string& out, double value, int decimals) {
    if (!std::isfinite(value)) {
        out += "null";
        return;
    }
    // 309 integer digits is the most a finite double can have in fixed notation.
    std::array<char, 352> buffer;
    auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                                std::chars_format::fixed, decimals);
    std::string_view text(buffer.data(), static_cast<size_t>(result.ptr - buffer.data()));
    // -0.0001 rounds to "-0.000": a meter shows no sign on zero.
    if (text.starts_with('-') && AllZeroDigits(text.substr(1))) text.remove_prefix(1);
    out += text;
}

void AppendFixedOrNull(std::string& out, std::optional<double> value, int decimals) {
    if (value)
        AppendFixed(out, *value, decimals);
    else
        out += "null";
}

void AppendInteger(std::string& out, std::int64_t value) {
    std::array<char, 24> buffer;
    auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    out.append(buffer.data(), result.ptr);
}

void AppendBool(std::string& out, bool value) {
    out += value ? "true" : "false";
}

void AppendString(std::string& out, std::string_view value) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    for (unsigned char c : value) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20) {
                out += "\\u00";
                out += kHex[c >> 4];
                out += kHex[c & 0xf];
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    out += '"';
}

void AppendStringOrNull(std::string& out, const std::optional<std::string>& value) {
    if (value)
        AppendString(out, *value);
    else
        out += "null";
}

} // namespace meteremu::json
