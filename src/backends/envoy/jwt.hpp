// SPDX-License-Identifier: MIT
// The claims of an Envoy access token (docs/protocols/envoy.md#jwt), decoded locally to know who it
// is for and when it expires. The signature is the Envoy's business; it is not checked here.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace meteremu::envoy {

struct JwtClaims {
    std::chrono::system_clock::time_point expires_at;               ///< exp
    std::optional<std::chrono::system_clock::time_point> issued_at; ///< iat
    std::string user_type; ///< enphaseUser: "owner" or "installer" ("" when absent)
    std::string audience;  ///< aud: the Envoy serial the token is for ("" when absent)
    std::string username;  ///< username: the Enlighten account, an e-mail ("" when absent)
};

/// Throws BadData when `token` is not three base64url parts with a JSON payload and an `exp`.
/// The message never contains the token.
JwtClaims DecodeJwt(std::string_view token);

/// Trims whitespace around a pasted token (a token file usually ends with a newline).
std::string_view TrimToken(std::string_view token) noexcept;

} // namespace meteremu::envoy
