// SPDX-License-Identifier: MIT
// Base64 (RFC 4648, standard alphabet, padded), for the WebSocket handshake keys.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace meteremu {

std::string Base64Encode(std::string_view bytes);

/// The decoded bytes, or nullopt when `text` is not padded standard base64.
std::optional<std::string> Base64Decode(std::string_view text);

} // namespace meteremu
