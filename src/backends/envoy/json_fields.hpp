// SPDX-License-Identifier: MIT
// Reading fields out of Envoy JSON with jansson, throwing BadData on anything unexpected, so
// each parser states what it needs in one line per field.
#pragma once

#include "backends/envoy/envoy_error.hpp"
#include "core/reading.hpp"
#include "util/json.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace meteremu::envoy {

/// Parses a whole body; HTML error pages and cut bodies throw BadData.
JsonPtr ParseJsonBody(std::string_view text, std::string_view what);

/// A finite number (integer or real) under `key`; throws BadData when absent or not one.
double RequireNumber(const json_t* object, const char* key, std::string_view what);
std::optional<double> OptionalNumber(const json_t* object, const char* key);
std::optional<std::string> OptionalString(const json_t* object, const char* key);

/// A Unix time in seconds as a clock time, held within what the clock can count (1970 to
/// 2255): a gateway's or a token's odd number must not overflow it (found by fuzzing).
WallTime EpochTime(double seconds) noexcept;

} // namespace meteremu::envoy
