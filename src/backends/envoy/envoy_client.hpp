// SPDX-License-Identifier: MIT
// The HTTP conversation with one Envoy: discovery of the scheme, the token and session cookie
// (firmware >= 7) or digest login (older firmware), and the sorting of every answer into a
// body or an EnvoyError of the kind the poller acts on.
#pragma once

#include "backends/envoy/envoy_connection.hpp"
#include "backends/envoy/info.hpp"
#include "net/http_client.hpp"

#include <stop_token>
#include <string>

namespace meteremu::envoy {

struct EnvoyClientOptions {
    std::string host; ///< name or address, optionally with ":port"
    bool verify_ssl = false;
    std::string ca_file;
};

class EnvoyClient final : public EnvoyConnection {
public:
    explicit EnvoyClient(EnvoyClientOptions options);

    /// GET /info over HTTPS on a new connection, noting the certificate's key (PeerKey()),
    /// or over HTTP when HTTPS cannot connect and `http_fallback` allows it
    /// (docs/protocols/envoy.md#transport); later requests use the scheme the firmware calls
    /// for. Throws EnvoyError.
    EnvoyInfo Discover(std::stop_token stop, bool http_fallback) override;

    /// The public-key pin of the certificate the last Discover saw ("" over HTTP).
    const std::string& PeerKey() const noexcept override { return peer_key_; }
    bool PlainHttp() const noexcept override { return scheme_ == "http"; }
    /// Every later HTTPS request is made only to a server with this key; a token is never
    /// sent over HTTPS without one.
    void PinKey(std::string key) override;

    /// Token auth from now on (firmware >= 7). The token is a secret: it is only ever sent.
    void SetToken(std::string token) override;
    /// Digest login for older firmware: user "envoy", the serial's last six characters.
    void UseLegacyLogin(const std::string& serial) override;

    /// GET /auth/check_jwt with the token; keeps the sessionId cookie it sets. Throws
    /// EnvoyError (Auth when the token is rejected).
    void CheckToken(std::stop_token stop) override;
    bool HasSession() const override { return http_.HasCookie("sessionId"); }
    void DropSession() override { http_.ClearCookies(); }

    /// GET `path` (e.g. "/ivp/meters/readings"); the body of a 2xx answer. Throws EnvoyError.
    std::string Get(const std::string& path, Seconds timeout, std::stop_token stop) override;

    /// "https://192.168.1.50", for messages.
    std::string BaseUrl() const override { return scheme_ + "://" + options_.host; }

private:
    ClientResponse Request(const std::string& path, Seconds timeout, std::stop_token stop,
                           bool authorized);

    EnvoyClientOptions options_;
    HttpClient http_;
    std::string scheme_ = "https";
    std::string token_;
    std::string peer_key_;
    std::string pinned_key_;
};

} // namespace meteremu::envoy
