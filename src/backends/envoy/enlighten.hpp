// SPDX-License-Identifier: MIT
// Fetching a new Envoy token from Enphase's cloud with the owner's Enlighten login (spec
// §3.3): log in, then ask for a token for the Envoy's serial. Both base URLs are settings, so
// tests point them at a fake. Nothing here logs; the password and token never enter a message.
#pragma once

#include "net/http_client.hpp"

#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>

namespace meteremu::envoy {

struct EnlightenAccount {
    std::string login_url;  ///< e.g. https://enlighten.enphaseenergy.com
    std::string tokens_url; ///< e.g. https://entrez.enphaseenergy.com
    std::string username;
    std::string password;
};

class EnlightenError : public std::runtime_error {
public:
    enum class Reason {
        MultiFactor,    ///< the account logs in with a second factor: no automatic tokens
        BadCredentials, ///< the login was refused
        Failed,         ///< anything else; worth retrying later
    };
    EnlightenError(Reason reason, const std::string& message)
        : std::runtime_error(message), reason_(reason) {}
    Reason GetReason() const noexcept { return reason_; }

private:
    Reason reason_;
};

/// The session id from a login.json reply. Throws EnlightenError (MultiFactor when the reply
/// lacks a session id but says the login succeeded).
std::string ParseLoginReply(long status, std::string_view body);

/// The token from a /tokens reply (raw JWT text). Throws EnlightenError.
std::string ParseTokenReply(long status, std::string_view body);

/// Step 1: logs in; returns the session id (a secret). Throws EnlightenError.
std::string LogInToEnlighten(HttpClient& http, const EnlightenAccount& account,
                             std::stop_token stop);

/// Step 2: requests a token for `serial` with the session. Throws EnlightenError.
/// Two steps, so that each of the poller's steps waits on one request only.
std::string RequestEnvoyToken(HttpClient& http, const EnlightenAccount& account,
                              const std::string& session, const std::string& serial,
                              std::stop_token stop);

} // namespace meteremu::envoy
