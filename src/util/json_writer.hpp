// SPDX-License-Identifier: MIT
// Appends JSON tokens to a string the way printf-based firmware prints them: numbers with a
// fixed count of decimals ("1.00", "0.0"), never exponent notation, "-0.0" printed as "0.0".
// jansson cannot do this (it prints shortest round-trip reals), so replies are written here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace meteremu::json {

/// Appends value with exactly `decimals` digits after the point; NaN and infinity become null.
void AppendFixed(std::string& out, double value, int decimals);

/// Like AppendFixed, or `null` when the value is absent.
void AppendFixedOrNull(std::string& out, std::optional<double> value, int decimals);

void AppendInteger(std::string& out, std::int64_t value);

void AppendBool(std::string& out, bool value);

/// Appends a quoted, escaped JSON string.
void AppendString(std::string& out, std::string_view value);

/// A quoted string, or null when absent.
void AppendStringOrNull(std::string& out, const std::optional<std::string>& value);

} // namespace meteremu::json
