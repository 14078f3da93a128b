// SPDX-License-Identifier: MIT
// Who the emulated Shelly Pro 3EM says it is: a real SPEM-003CEBEU on firmware 1.6.1.
// Home Assistant requires a firmware date >= 20230803 and calls Shelly.GetComponents from
// 20240213 on; 1.6.1 is recent enough for both and widely deployed.
#pragma once

#include "platform/machine_id.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace meteremu::shelly {

/// Configuration revision reported in sys status and config (they must agree).
inline constexpr int kCfgRev = 10;

struct Identity {
    std::string mac; ///< 12 upper-case hex digits, no separators
    std::string id;  ///< "shellypro3em-" + lower-case mac
    std::optional<std::string> name;
    int slot = 0;
    std::string model = "SPEM-003CEBEU";
    std::string fw_id = "20250508-110717/1.6.1-g8dbd358";
    std::string ver = "1.6.1";
    std::string app = "Pro3EM";
    std::string profile = "triphase";
};

Identity MakeIdentity(const MacAddress& mac);

/// Accepts 12 hex digits in either case, optionally separated by ':' or '-'.
std::optional<MacAddress> ParseMac(std::string_view text) noexcept;

} // namespace meteremu::shelly
