// SPDX-License-Identifier: MIT
// Who the emulated Shelly Pro 3EM says it is: a real SPEM-003CEBEU on firmware 1.6.1.
// Home Assistant requires a firmware date >= 20230803 and calls Shelly.GetComponents from
// 20240213 on; 1.6.1 is recent enough for both and widely deployed.
#pragma once

#include "core/mac_address.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace meteremu::shelly {

/// Configuration revision reported in sys status, sys config and Shelly.GetComponents
/// (clients compare them; they must agree).
inline constexpr int kCfgRev = 10;

/// How the Pro 3EM's three CT channels are exposed (Shelly.SetProfile on a real device).
enum class Profile {
    Triphase,  ///< one three-phase meter: em:0 and emdata:0
    Monophase, ///< three single-phase meters: em1:0..2 and em1data:0..2
};

std::string_view ProfileName(Profile profile) noexcept;
std::optional<Profile> ParseProfile(std::string_view name) noexcept;

struct Identity {
    std::string mac; ///< 12 upper-case hex digits, no separators
    std::string id;  ///< "shellypro3em-" + lower-case mac
    std::optional<std::string> name;
    int slot = 0;
    std::string model = "SPEM-003CEBEU";
    std::string fw_id = "20250508-110717/1.6.1-g8dbd358";
    std::string ver = "1.6.1";
    std::string app = "Pro3EM";
    Profile profile = Profile::Triphase;
    /// Shelly.GetDeviceInfo {"ident":true}: the factory identification. A real device's
    /// key is its cloud key; ours is an opaque value derived from the MAC (no secret).
    std::string key;
    std::string batch = "2405-Broadwell";
    std::string fw_sbits = "04";
};

Identity MakeIdentity(const MacAddress& mac, Profile profile = Profile::Triphase);

/// The SSID of the device's own access point, "ShellyPro3EM-<MAC>" (it stays disabled).
std::string AccessPointSsid(const Identity& identity);

/// Accepts 12 hex digits in either case, optionally separated by ':' or '-'.
std::optional<MacAddress> ParseMac(std::string_view text) noexcept;

} // namespace meteremu::shelly
