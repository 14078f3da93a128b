// SPDX-License-Identifier: MIT
// Fuzz target: an MQTT payload (plain number, or JSON with a pointer). An input starting with
// "/" carries the pointer on its first line and the payload after it; any other input is a
// payload read as a plain number. Links only the payload parser (and jansson), not
// libmosquitto.
#include "backends/mqtt/mqtt_payload.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace meteremu::mqtt;
    std::string_view input(reinterpret_cast<const char*>(data), size);
    std::string_view pointer;
    if (input.starts_with('/')) {
        std::size_t newline = input.find('\n');
        pointer = input.substr(0, newline);
        input = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
    }
    meteremu::JsonPointer parsed;
    try {
        parsed = meteremu::JsonPointer::Parse(pointer);
    } catch (const std::invalid_argument&) {
        return 0; // the configuration refuses such a pointer
    }
    try {
        if (!std::isfinite(ParsePayload(input, parsed))) {
            std::fprintf(stderr, "fuzz invariant broken: a value that is not finite\n");
            std::abort();
        }
    } catch (const PayloadError&) {
    }
    return 0;
}
