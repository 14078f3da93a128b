// SPDX-License-Identifier: MIT
#include "backends/envoy/jwt.hpp"

#include "backends/envoy/envoy_error.hpp"
#include "backends/envoy/json_fields.hpp"
#include "util/base64.hpp"

#include <cctype>
#include <cmath>

namespace meteremu::envoy {

std::string_view TrimToken(std::string_view token) noexcept {
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.front())))
        token.remove_prefix(1);
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back())))
        token.remove_suffix(1);
    return token;
}

JwtClaims DecodeJwt(std::string_view token) {
    size_t first = token.find('.');
    size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
    if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
        throw BadData("the token is not a JWT (expected three parts separated by dots)");
    auto payload = Base64UrlDecode(token.substr(first + 1, second - first - 1));
    if (!payload) throw BadData("the token is not a JWT (its payload is not base64url)");
    JsonPtr claims = ParseJsonBody(*payload, "the token's payload");
    if (!json_is_object(claims.get())) throw BadData("the token's payload is not a JSON object");
    JwtClaims result;
    result.expires_at = EpochTime(RequireNumber(claims.get(), "exp", "the token's payload"));
    if (auto iat = OptionalNumber(claims.get(), "iat")) result.issued_at = EpochTime(*iat);
    result.user_type = OptionalString(claims.get(), "enphaseUser").value_or("");
    result.audience = OptionalString(claims.get(), "aud").value_or("");
    result.username = OptionalString(claims.get(), "username").value_or("");
    return result;
}

} // namespace meteremu::envoy
