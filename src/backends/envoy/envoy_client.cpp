// SPDX-License-Identifier: MIT
#include "backends/envoy/envoy_client.hpp"

#include "backends/envoy/envoy_error.hpp"

namespace meteremu::envoy {
namespace {

constexpr Seconds kConnectTimeout{3.0};
constexpr Seconds kSetupTimeout{5.0};

HttpClientOptions ClientOptions(const EnvoyClientOptions& options) {
    HttpClientOptions http;
    http.connect_timeout = kConnectTimeout;
    http.verify_peer = options.verify_ssl;
    http.ca_file = options.ca_file;
    return http;
}

/// Sorts a non-2xx status into what the poller does about it.
[[noreturn]] void ThrowForStatus(const std::string& what, long status) {
    std::string message = what + " answered HTTP " + std::to_string(status);
    if (status == 401 || status == 403) throw EnvoyError(ErrorKind::Auth, message, status);
    if (status == 404) throw EnvoyError(ErrorKind::Missing, message, status);
    // Missing pages may redirect to error pages; redirects are never followed
    // (docs/protocols/envoy.md#transport).
    if (status >= 300 && status < 400)
        throw EnvoyError(ErrorKind::Missing, message + " (a redirect, not followed)", status);
    if (status >= 500) throw EnvoyError(ErrorKind::Server, message, status);
    throw EnvoyError(ErrorKind::BadData, message, status);
}

} // namespace

EnvoyClient::EnvoyClient(EnvoyClientOptions options)
    : options_(std::move(options)), http_(ClientOptions(options_)) {}

void EnvoyClient::SetToken(std::string token) {
    if (token != token_) http_.ClearCookies();
    token_ = std::move(token);
    http_.SetDigestLogin("", "");
    scheme_ = "https";
}

void EnvoyClient::PinKey(std::string key) {
    if (key != pinned_key_) http_.ClearCookies();
    pinned_key_ = std::move(key);
}

void EnvoyClient::UseLegacyLogin(const std::string& serial) {
    token_.clear();
    http_.SetDigestLogin("envoy", serial.size() > 6 ? serial.substr(serial.size() - 6) : serial);
    scheme_ = "http";
}

ClientResponse EnvoyClient::Request(const std::string& path, Seconds timeout, std::stop_token stop,
                                    bool authorized) {
    ClientRequest request;
    request.url = BaseUrl() + path;
    request.timeout = timeout;
    bool https = scheme_ == "https";
    // /info needs no token, and its HTTP fallback must never carry one in clear text.
    if (authorized && https && !token_.empty()) {
        if (pinned_key_.empty())
            throw EnvoyError(ErrorKind::Untrusted, request.url + ": no certificate key pinned");
        request.bearer = token_;
    }
    if (https && path != "/info") request.pinned_key = pinned_key_;
    request.capture_peer_key = https && path == "/info";
    try {
        return http_.Perform(request, stop);
    } catch (const TransportError& error) {
        if (error.Failure() == TransportFailure::PinMismatch)
            throw EnvoyError(ErrorKind::Untrusted,
                             request.url + ": the server's certificate key is not the pinned one");
        throw EnvoyError(ErrorKind::Unreachable, request.url + ": " + error.what(), 0,
                         error.Failure() == TransportFailure::Timeout);
    }
}

EnvoyInfo EnvoyClient::Discover(std::stop_token stop, bool http_fallback) {
    scheme_ = "https";
    peer_key_.clear();
    ClientResponse response;
    try {
        response = Request("/info", kSetupTimeout, stop, false);
        peer_key_ = response.peer_key;
    } catch (const EnvoyError& https_error) {
        if (!http_fallback) throw;
        // Firmware before 7 serves plain HTTP only; try it before calling the gateway down,
        // and report the HTTPS failure (e.g. a certificate problem) when both fail.
        scheme_ = "http";
        try {
            response = Request("/info", kSetupTimeout, stop, false);
        } catch (const EnvoyError&) {
            scheme_ = "https";
            throw https_error;
        }
    }
    if (response.status < 200 || response.status >= 300)
        ThrowForStatus(BaseUrl() + "/info", response.status);
    return ParseInfo(response.body);
}

void EnvoyClient::CheckToken(std::stop_token stop) {
    ClientResponse response = Request("/auth/check_jwt", kSetupTimeout, stop, true);
    if (response.status < 200 || response.status >= 300)
        ThrowForStatus(BaseUrl() + "/auth/check_jwt", response.status);
}

std::string EnvoyClient::Get(const std::string& path, Seconds timeout, std::stop_token stop) {
    ClientResponse response = Request(path, timeout, stop, true);
    if (response.status < 200 || response.status >= 300)
        ThrowForStatus(BaseUrl() + path, response.status);
    return std::move(response.body);
}

} // namespace meteremu::envoy
