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
    /// `http_status`: the status of the answer it comes from (0: none, or not a status
    /// problem); `timed_out`: no answer in time. Both only sort the request for the status
    /// page (RequestResult); the kind decides what the poller does.
    EnvoyError(ErrorKind kind, const std::string& message, long http_status = 0,
               bool timed_out = false)
        : std::runtime_error(message), kind_(kind), http_status_(http_status),
          timed_out_(timed_out) {}
    ErrorKind Kind() const noexcept { return kind_; }
    long HttpStatus() const noexcept { return http_status_; }
    bool TimedOut() const noexcept { return timed_out_; }

private:
    ErrorKind kind_;
    long http_status_;
    bool timed_out_;
};

/// A parser's complaint about a response body.
inline EnvoyError BadData(const std::string& message) {
    return EnvoyError(ErrorKind::BadData, message);
}

} // namespace meteremu::envoy
