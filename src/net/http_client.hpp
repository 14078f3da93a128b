// SPDX-License-Identifier: MIT
// An HTTP(S) client on libcurl for a poller: one easy handle reused for every request (so one
// kept-alive connection and one cookie jar), one request at a time, bounded timeouts, no
// redirects, and cancellation when the poller is asked to stop. Not thread-safe: it belongs
// to the thread that polls.
#pragma once

#include "core/clock.hpp"
#include "util/curl.hpp"

#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>

namespace meteremu {

struct HttpClientOptions {
    Seconds connect_timeout{3.0};
    /// false accepts any certificate (Envoys have self-signed ones).
    bool verify_peer = true;
    /// With verify_peer: a PEM file to verify against instead of the system store.
    std::string ca_file;
    /// Bytes of response body accepted; more is an error (a gateway answers a few KiB).
    std::size_t max_body_bytes = 4 * 1024 * 1024;
};

struct ClientRequest {
    std::string url;
    /// Empty: GET. Otherwise POSTed with `content_type`.
    std::string post_body;
    std::string content_type;
    /// Whole request, connect included.
    Seconds timeout{5.0};
    /// Sent as "Authorization: Bearer ..."; a secret, never part of an error message.
    std::string bearer;
    /// "sha256//<base64>": the TLS handshake fails unless the server's public key has this
    /// hash, so nothing (no token) is sent to another server.
    std::string pinned_key;
    /// Make a new connection and report the server's public-key pin in the response.
    bool capture_peer_key = false;
};

struct ClientResponse {
    long status = 0;
    std::string content_type; ///< as sent, e.g. "application/json; charset=UTF-8"
    std::string body;
    Seconds elapsed{};
    std::string peer_key; ///< with capture_peer_key over HTTPS: "sha256//<base64>"
};

enum class TransportFailure {
    Refused,     ///< nothing listens, or the host is unreachable
    Timeout,     ///< connect or whole-request timeout
    Tls,         ///< handshake or certificate verification failed
    Reset,       ///< the connection broke mid-request or the body was cut
    Resolve,     ///< the host name does not resolve
    Cancelled,   ///< stop was requested
    PinMismatch, ///< the server's public key is not the pinned one
    Other,
};

/// No HTTP response arrived. The message names the URL's host, never a credential.
class TransportError : public std::runtime_error {
public:
    TransportError(TransportFailure failure, const std::string& message)
        : std::runtime_error(message), failure_(failure) {}
    TransportFailure Failure() const noexcept { return failure_; }

private:
    TransportFailure failure_;
};

class HttpClient {
public:
    /// Throws std::runtime_error when libcurl has no handle to give.
    explicit HttpClient(HttpClientOptions options);

    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    /// One request; any HTTP status is a response. Throws TransportError.
    ClientResponse Perform(const ClientRequest& request, std::stop_token stop);

    /// HTTP Digest credentials, answered when a server asks for them (legacy Envoys; Shelly
    /// Gen2 devices, which ask for SHA-256).
    void SetDigestLogin(std::string user, std::string password);
    /// HTTP Basic credentials, sent with every request (in the clear over plain HTTP).
    void SetBasicLogin(std::string user, std::string password);

    /// Whether the cookie jar holds a cookie called `name` (e.g. "sessionId").
    bool HasCookie(std::string_view name) const;
    void ClearCookies();

private:
    void EnableCookies();
    std::string PeerKey();
    void Configure(const ClientRequest& request, CurlSlistPtr& headers, std::string& authorization,
                   std::stop_token& stop);

    HttpClientOptions options_;
    CurlEasyPtr curl_;
    std::string login_user_;
    std::string login_password_;
    unsigned long login_scheme_ = CURLAUTH_DIGEST;
    char error_[CURL_ERROR_SIZE] = {};
};

/// "refused", "timeout", ... for logs and status lines.
std::string_view TransportFailureName(TransportFailure failure) noexcept;

} // namespace meteremu
