// SPDX-License-Identifier: MIT
// What can go wrong talking to an Envoy, sorted by what the poller does about it: each kind
// has its own backoff (docs/protocols/envoy.md#backoff). Parsers throw BadData; the client
// classifies responses.
#pragma once

#include <stdexcept>
#include <string>

namespace meteremu::envoy {

enum class ErrorKind {
    Unreachable, ///< refused, timeout, reset, TLS: the gateway is down or busy (short backoff)
    Auth,        ///< 401/403: token or session rejected
    Server,      ///< 5xx: the gateway is up but not ready
    BadData,     ///< HTML instead of JSON, invalid or truncated JSON, missing fields
    Missing,     ///< 404 or a JSON error body: the endpoint does not exist on this firmware
    Untrusted,   ///< not the pinned gateway, or plain HTTP where it is not allowed
};

class EnvoyError : public std::runtime_error {
public:
    EnvoyError(ErrorKind kind, const std::string& message)
        : std::runtime_error(message), kind_(kind) {}
    ErrorKind Kind() const noexcept { return kind_; }

private:
    ErrorKind kind_;
};

/// A parser's complaint about a response body.
inline EnvoyError BadData(const std::string& message) {
    return EnvoyError(ErrorKind::BadData, message);
}

} // namespace meteremu::envoy
