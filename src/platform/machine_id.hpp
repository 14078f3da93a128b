// SPDX-License-Identifier: MIT
#pragma once

#include <systemd/sd-id128.h>

#include <array>
#include <cstdint>

namespace meteremu {

using MacAddress = std::array<std::uint8_t, 6>;

/// A hardware address for the emulated device that stays the same across restarts and
/// reinstalls of this machine: derived from /etc/machine-id through an application-specific
/// hash (so the machine id itself is not disclosed). Throws std::system_error when
/// /etc/machine-id cannot be read.
MacAddress StableMacAddress();

/// The derivation itself: the first six bytes of `app_specific_id`, marked as a locally
/// administered unicast address.
MacAddress MacFromAppSpecificId(const sd_id128_t& app_specific_id) noexcept;

/// The application id meteremu hashes the machine id with.
sd_id128_t MacApplicationId() noexcept;

} // namespace meteremu
