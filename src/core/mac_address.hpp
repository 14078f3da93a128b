// SPDX-License-Identifier: MIT
// A hardware address, as an emulated device reports it and platform/ derives it.
#pragma once

#include <array>
#include <cstdint>

namespace meteremu {

using MacAddress = std::array<std::uint8_t, 6>;

} // namespace meteremu
