// SPDX-License-Identifier: MIT
// The value of one MQTT message: a plain number ("190", as ESPHome publishes), or a number
// inside a JSON document, found by an RFC 6901 JSON Pointer ("/ENERGY/Power" in a Tasmota
// SENSOR message). No libmosquitto here, so the fuzz target links only this and jansson.
// See docs/protocols/mqtt.md#payloads.
#pragma once

#include "util/json_pointer.hpp"

#include <stdexcept>
#include <string>
#include <string_view>

namespace meteremu::mqtt {

/// Why a payload gave no value.
enum class PayloadProblem {
    Unparsable,   ///< not a number, or not JSON where a pointer is configured
    MissingField, ///< JSON, but the pointer names nothing in it
    NotANumber,   ///< the pointer names a value that is no finite number
};

class PayloadError : public std::runtime_error {
public:
    PayloadError(PayloadProblem problem, const std::string& what)
        : std::runtime_error(what), problem_(problem) {}
    PayloadProblem Problem() const noexcept { return problem_; }

private:
    PayloadProblem problem_;
};

/// The finite number the payload carries: the whole payload when `pointer` is empty (the whole
/// document: a whole-document number is a plain payload), else the value `pointer` names in the
/// payload parsed as JSON. Throws PayloadError; its message quotes at most a short, printable part
/// of the payload.
double ParsePayload(std::string_view payload, const JsonPointer& pointer);

} // namespace meteremu::mqtt
