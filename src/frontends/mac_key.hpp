// SPDX-License-Identifier: MIT
// The `mac` key every emulated device has: the address it reports in its ids, names and
// answers.
#pragma once

#include "config/config_section.hpp"
#include "core/mac_address.hpp"

#include <optional>

namespace meteremu {

/// The `mac` key of a [[frontend]] table: 12 hexadecimal digits (":" or "-" between pairs
/// allowed). nullopt when the key is absent or "" (the device derives one from
/// /etc/machine-id), and when it is malformed, after recording the error on `section`.
inline std::optional<MacAddress> ParseMacKey(ConfigSection& section) {
    auto text = section.String("mac");
    if (!text || text->empty()) return std::nullopt;
    auto mac = ParseMacAddress(*text);
    if (!mac)
        section.ErrorAt("mac", "expected 12 hexadecimal digits such as \"A0B1C2D3E4F5\" (\":\" "
                               "or \"-\" between pairs allowed), or \"\" to derive one from "
                               "/etc/machine-id");
    return mac;
}

} // namespace meteremu
