// SPDX-License-Identifier: MIT
// Which Envoy token to use (firmware >= 7), and keeping it valid: the configured token or
// token_file, or a newer one fetched from Enlighten and kept in the state directory (0600;
// /etc is read-only under the hardened unit). Logs who a token is for and when it expires,
// warns 30, 7 and 1 days ahead, never shows the token itself.
#pragma once

#include "backends/envoy/enlighten.hpp"
#include "backends/envoy/envoy_options.hpp"
#include "backends/envoy/jwt.hpp"
#include "platform/log.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <stop_token>
#include <string>

namespace meteremu::envoy {

struct Token {
    std::string text; ///< the secret
    JwtClaims claims;
    std::string origin; ///< "token", "token_file" or "refreshed", for messages
};

class TokenKeeper {
public:
    TokenKeeper(const EnvoyOptions& options, const std::filesystem::path& state_directory);

    /// The token to use for the Envoy `serial`: of the configured and the saved one, the
    /// one that expires last. Re-reads token_file each time (the owner may paste a new one).
    /// Null when there is none; logs each new token's claims once. A token for another
    /// serial is never returned (it is logged once instead).
    const Token* Current(const std::string& serial);

    /// Whether the last Current() found only tokens for another Envoy.
    bool ForAnotherEnvoy() const noexcept { return for_another_envoy_; }

    /// Whether username and password are set and Enlighten has not asked for a second factor.
    bool CanRefresh() const noexcept { return can_refresh_; }

    /// One request of fetching a new token for `serial` from Enlighten: the login, then the
    /// token request, which saves the token and makes it current (returns true). Throws
    /// EnlightenError; a multi-factor account also turns refreshing off for good (with one
    /// error logged).
    bool RefreshStep(const std::string& serial, std::stop_token stop);

    /// Logs the 30/7/1-day warnings, each once per token; true when the token should be
    /// refreshed (< 30 days left and refreshing is possible).
    bool CheckExpiry(std::chrono::system_clock::time_point now);

    /// Logs the expired-token error once per token.
    void ReportExpired();

private:
    void Report(log::Level level, const std::string& message);
    std::optional<Token> Decode(std::string_view text, std::string origin);
    std::optional<Token> Configured();
    std::optional<Token> Saved();
    void Announce(const Token& token);
    bool ForThisEnvoy(const std::optional<Token>& token, const std::string& serial);

    const EnvoyOptions& options_;
    std::filesystem::path saved_file_;
    EnlightenAccount account_;
    std::unique_ptr<HttpClient> cloud_; ///< verifies certificates against the system store
    std::string session_;               ///< Enlighten session between the two steps
    bool can_refresh_ = false;
    std::optional<Token> current_;
    std::string announced_; ///< the token last announced (compared, never printed)
    int warned_days_ = 0;   ///< smallest threshold already warned about for current_
    bool expired_reported_ = false;
    bool for_another_envoy_ = false;
    std::set<std::string> reported_;            ///< problems logged since the last usable token
    std::set<std::string> mismatches_reported_; ///< tokens for another Envoy, said once each
};

/// "2027-06-01" (UTC).
std::string FormatDate(std::chrono::system_clock::time_point time);

} // namespace meteremu::envoy
