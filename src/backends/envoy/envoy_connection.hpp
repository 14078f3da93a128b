// SPDX-License-Identifier: MIT
// What the Envoy poller needs of the HTTP conversation with one gateway: EnvoyClient in the
// daemon; a scripted fake in tests/unit/backends/envoy (envoy_poller_test.cpp), which drives
// the poller's state machine step by step without a socket. See EnvoyClient for what each
// call means.
#pragma once

#include "backends/envoy/info.hpp"
#include "core/reading.hpp"

#include <stop_token>
#include <string>

namespace meteremu::envoy {

class EnvoyConnection {
public:
    virtual ~EnvoyConnection() = default;

    /// GET /info on a new connection, noting the certificate's key. Throws EnvoyError.
    virtual EnvoyInfo Discover(std::stop_token stop, bool http_fallback) = 0;
    /// The public-key pin of the certificate the last Discover saw ("" over HTTP).
    virtual const std::string& PeerKey() const noexcept = 0;
    virtual bool PlainHttp() const noexcept = 0;
    /// Later HTTPS requests go only to a server with this key.
    virtual void PinKey(std::string key) = 0;

    /// The token (a secret: only ever sent), or digest login for older firmware.
    virtual void SetToken(std::string token) = 0;
    virtual void UseLegacyLogin(const std::string& serial) = 0;

    /// GET /auth/check_jwt; keeps the session cookie. Throws EnvoyError.
    virtual void CheckToken(std::stop_token stop) = 0;
    virtual bool HasSession() const = 0;
    virtual void DropSession() = 0;

    /// The body of a 2xx answer to GET `path`. Throws EnvoyError.
    virtual std::string Get(const std::string& path, Seconds timeout, std::stop_token stop) = 0;

    /// "https://192.168.1.50", for messages.
    virtual std::string BaseUrl() const = 0;
};

} // namespace meteremu::envoy
