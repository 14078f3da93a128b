// SPDX-License-Identifier: MIT
// SHA-1 (FIPS 180-4), for the one place a protocol demands it: the WebSocket handshake's
// Sec-WebSocket-Accept (RFC 6455 §4.2.2). Not for anything that needs collision resistance.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace meteremu {

using Sha1Digest = std::array<std::uint8_t, 20>;

Sha1Digest Sha1(std::string_view data) noexcept;

} // namespace meteremu
