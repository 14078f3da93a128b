// SPDX-License-Identifier: MIT
// Who the emulated Shelly says it is: a real SPEM-003CEBEU (Pro 3EM) on firmware 1.6.1, or
// one of the two-channel EM1 meters Marstek batteries offer as meter types, the Pro EM-50
// (SPEM-002CEBEU50) and the EM Gen3 (S3EM-002CXCEU); see docs/protocols/shelly-em1.md.
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

/// Which Shelly is emulated (the `model` key).
enum class Model {
    Pro3Em,  ///< "pro3em": SPEM-003CEBEU, em:0 or em1:0..2 per profile
    ProEm50, ///< "proem50": SPEM-002CEBEU50, em1:0 and em1:1, gen 2
    EmGen3,  ///< "emg3": S3EM-002CXCEU, em1:0 and em1:1, gen 3
};

std::string_view ModelName(Model model) noexcept;
std::optional<Model> ParseModel(std::string_view name) noexcept;

/// What channel 0 of a two-channel EM1 meter measures (the `channel0` key): the net sum of
/// the phases, or one phase. Channel 1 is idle.
enum class Channel0 { Total, A, B, C };

std::optional<Channel0> ParseChannel0(std::string_view name) noexcept;

/// The components and methods a device has: the Pro 3EM's two profiles, or the two-channel
/// EM1 meters (whose gen 3 sibling lacks Ethernet and Modbus).
enum class Layout { Triphase, Monophase, Em1Pair, Em1PairGen3 };

struct Identity {
    Model model_kind = Model::Pro3Em;
    std::string mac; ///< 12 upper-case hex digits, no separators
    std::string id;  ///< "shellypro3em-" (or the model's prefix) + lower-case mac
    std::optional<std::string> name;
    int slot = 0;
    std::string model = "SPEM-003CEBEU";
    std::string fw_id = "20250508-110717/1.6.1-g8dbd358";
    std::string ver = "1.6.1";
    std::string app = "Pro3EM";
    int gen = 2;
    /// Host name and access point prefix, "ShellyPro3EM" ("ShellyProEM50", "ShellyEMG3").
    std::string host_prefix = "ShellyPro3EM";
    Profile profile = Profile::Triphase; ///< only the Pro 3EM has profiles
    Channel0 channel0 = Channel0::Total;
    /// Shelly.GetDeviceInfo {"ident":true}: the factory identification. A real device's
    /// key is its cloud key; ours is an opaque value derived from the MAC (no secret).
    std::string key;
    std::string batch = "2405-Broadwell";
    std::string fw_sbits = "04";
};

Identity MakeIdentity(const MacAddress& mac, Profile profile = Profile::Triphase);
/// A device of `model`; `profile` counts for the Pro 3EM only.
Identity MakeIdentity(const MacAddress& mac, Model model, Profile profile = Profile::Triphase);

Layout LayoutOf(const Identity& identity) noexcept;

/// The SSID of the device's own access point, "ShellyPro3EM-<MAC>" (it stays disabled).
std::string AccessPointSsid(const Identity& identity);

} // namespace meteremu::shelly
