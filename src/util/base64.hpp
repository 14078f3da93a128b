// SPDX-License-Identifier: MIT
// Base64 (RFC 4648): the standard alphabet, padded, for the WebSocket handshake keys; and the
// URL-safe alphabet without padding (§5), as in the parts of a JWT.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace meteremu {

std::string Base64Encode(std::string_view bytes);

/// The decoded bytes, or nullopt when `text` is not padded standard base64.
std::optional<std::string> Base64Decode(std::string_view text);

std::string Base64UrlEncode(std::string_view bytes);

/// The decoded bytes, or nullopt when `text` is not base64url (padding is optional).
std::optional<std::string> Base64UrlDecode(std::string_view text);

} // namespace meteremu
