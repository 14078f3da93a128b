// SPDX-License-Identifier: MIT
#pragma once

#include "core/mac_address.hpp"

#include <array>
#include <cstdint>

namespace meteremu {

/// The bytes of a 128-bit systemd id (sd_id128_t), without its header in ours.
using Id128Bytes = std::array<std::uint8_t, 16>;

/// A hardware address for the emulated device that stays the same across restarts and
/// reinstalls of this machine: derived from /etc/machine-id through an application-specific
/// hash (so the machine id itself is not disclosed). `device` tells apart several emulated
/// devices of one kind on this machine (0: the first, whose address 0.1.0 used already).
/// Throws std::system_error when /etc/machine-id cannot be read.
MacAddress StableMacAddress(std::uint32_t device = 0);

/// The derivation itself: the first six bytes of `app_specific_id`, marked as a locally
/// administered unicast address.
MacAddress MacFromAppSpecificId(const Id128Bytes& app_specific_id) noexcept;

/// The application id meteremu hashes the machine id with for `device`: the one every
/// install uses for device 0, that one with the device number mixed into its last bytes for
/// the others.
Id128Bytes MacApplicationId(std::uint32_t device = 0) noexcept;

} // namespace meteremu
