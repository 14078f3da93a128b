// SPDX-License-Identifier: MIT
#include "backends/envoy/token_keeper.hpp"

#include "backends/envoy/envoy_error.hpp"
#include "platform/log.hpp"
#include "util/atomic_file.hpp"
#include "util/log_text.hpp"
#include "util/time_format.hpp"

#include <utility>

namespace meteremu::envoy {
namespace {

constexpr log::Domain kDomain{"envoy"};
constexpr int kWarnDays[] = {30, 7, 1};
constexpr char kReadmeSection[] = "see \"Getting an Envoy token\" in the README";

long long DaysLeft(const Token& token, std::chrono::system_clock::time_point now) {
    return std::chrono::duration_cast<std::chrono::hours>(token.claims.expires_at - now).count() /
           24;
}

} // namespace

std::string FormatDate(std::chrono::system_clock::time_point time) {
    return FormatTime(time, "%Y-%m-%d", false);
}

TokenKeeper::TokenKeeper(const EnvoyOptions& options, const std::filesystem::path& state_directory)
    : options_(options), saved_file_(state_directory / "envoy-token") {
    account_ = {options.enlighten_url, options.entrez_url, options.username, options.password};
    can_refresh_ = !options.username.empty() && !options.password.empty();
}

void TokenKeeper::Report(log::Level level, const std::string& message) {
    // A token that cannot be used is looked at again on every retry: say so once.
    if (!reported_.insert(message).second) return;
    log::Write(level, kDomain, message);
}

std::optional<Token> TokenKeeper::Decode(std::string_view text, std::string origin) {
    text = TrimToken(text);
    if (text.empty()) return std::nullopt;
    try {
        return Token{std::string(text), DecodeJwt(text), std::move(origin)};
    } catch (const EnvoyError& error) {
        Report(log::Level::Error, "the " + origin + " is not a usable Envoy token: " +
                                      error.what() + " (" + kReadmeSection + ")");
        return std::nullopt;
    }
}

std::optional<Token> TokenKeeper::Configured() {
    if (!options_.token.empty()) return Decode(options_.token, "token");
    if (options_.token_file.empty()) return std::nullopt;
    try {
        auto content = ReadSmallFile(options_.token_file);
        if (!content) {
            Report(log::Level::Error, "token_file " + options_.token_file + " does not exist (" +
                                          kReadmeSection + ")");
            return std::nullopt;
        }
        return Decode(*content, "token_file");
    } catch (const std::exception& error) {
        Report(log::Level::Error, std::string("cannot read token_file: ") + error.what());
        return std::nullopt;
    }
}

std::optional<Token> TokenKeeper::Saved() {
    try {
        auto content = ReadSmallFile(saved_file_);
        return content ? Decode(*content, "refreshed token in " + saved_file_.string())
                       : std::nullopt;
    } catch (const std::exception& error) {
        Report(log::Level::Warning, std::string("cannot read the saved token: ") + error.what());
        return std::nullopt;
    }
}

/// A token for another serial is rejected by the Envoy at best, and at worst is handed to a
/// gateway that is not the one it was made for: it is never sent.
bool TokenKeeper::ForThisEnvoy(const std::optional<Token>& token, const std::string& serial) {
    if (!token || token->claims.audience.empty() || token->claims.audience == serial) return true;
    for_another_envoy_ = true;
    std::string message = "the " + token->origin + " is for Envoy " +
                          LogText(token->claims.audience) + " but this Envoy is " +
                          LogText(serial) + ": it is not sent (" + kReadmeSection + ")";
    if (mismatches_reported_.insert(message).second) log::Error(kDomain, message);
    return false;
}

const Token* TokenKeeper::Current(const std::string& serial) {
    for_another_envoy_ = false;
    std::optional<Token> best = Configured();
    if (!ForThisEnvoy(best, serial)) best.reset();
    if (auto saved = Saved(); saved && ForThisEnvoy(saved, serial))
        if (!best || saved->claims.expires_at > best->claims.expires_at) best = std::move(saved);
    if (current_ && ForThisEnvoy(current_, serial) &&
        (!best || current_->claims.expires_at > best->claims.expires_at))
        return &*current_; // a refreshed token that could not be saved
    if (!best) return nullptr;
    for_another_envoy_ = false;
    reported_.clear();
    if (!current_ || current_->text != best->text) {
        warned_days_ = 0;
        expired_reported_ = false;
    }
    current_ = std::move(best);
    Announce(*current_);
    return &*current_;
}

void TokenKeeper::Announce(const Token& token) {
    if (announced_ == token.text) return;
    announced_ = token.text;
    const auto& claims = token.claims;
    log::Info(kDomain, "using the ", token.origin, ": ",
              claims.user_type.empty() ? "a" : "an " + LogText(claims.user_type),
              " token for Envoy ", claims.audience.empty() ? "(any)" : LogText(claims.audience),
              ", valid until ", FormatDate(claims.expires_at));
}

bool TokenKeeper::CheckExpiry(std::chrono::system_clock::time_point now) {
    if (!current_) return false;
    long long days = DaysLeft(*current_, now);
    if (current_->claims.expires_at <= now) return can_refresh_;
    int crossed = 0; // the smallest threshold the days left are under
    for (int threshold : kWarnDays)
        if (days < threshold) crossed = threshold;
    if (crossed && (!warned_days_ || crossed < warned_days_)) {
        warned_days_ = crossed;
        log::Warning(kDomain, "the Envoy token expires in ", days, days == 1 ? " day" : " days",
                     " (", FormatDate(current_->claims.expires_at), ")",
                     can_refresh_ ? "; meteremu will fetch a new one from Enlighten"
                                  : std::string("; get a new one: ") + kReadmeSection);
    }
    return can_refresh_ && days < kWarnDays[0];
}

void TokenKeeper::ReportExpired() {
    if (expired_reported_ || !current_) return;
    expired_reported_ = true;
    log::Error(kDomain, "the Envoy token (", current_->origin, ") expired on ",
               FormatDate(current_->claims.expires_at), ": get a new one, ", kReadmeSection,
               can_refresh_ ? "; meteremu is trying Enlighten" : "");
}

bool TokenKeeper::RefreshStep(const std::string& serial, std::stop_token stop) {
    if (!cloud_) cloud_ = std::make_unique<HttpClient>(HttpClientOptions{});
    std::string fresh;
    try {
        if (session_.empty()) {
            session_ = LogInToEnlighten(*cloud_, account_, stop);
            return false;
        }
        std::string session = std::exchange(session_, std::string());
        fresh = RequestEnvoyToken(*cloud_, account_, session,
                                  options_.serial.empty() ? serial : options_.serial, stop);
    } catch (const EnlightenError& error) {
        if (error.GetReason() == EnlightenError::Reason::MultiFactor) {
            can_refresh_ = false;
            log::Error(kDomain,
                       "the Enlighten account uses multi-factor login, so meteremu "
                       "cannot fetch tokens for it: paste a token by hand (",
                       kReadmeSection, ")");
        }
        throw;
    }
    auto token = Decode(fresh, "token fetched from Enlighten");
    if (!token) throw EnlightenError(EnlightenError::Reason::Failed, "unusable token");
    try {
        WriteFileAtomically(saved_file_, token->text + "\n", 0600);
        token->origin = "refreshed token in " + saved_file_.string();
    } catch (const std::exception& error) {
        log::Warning(kDomain,
                     "cannot save the new token (it is used until restart): ", error.what());
    }
    log::Notice(kDomain, "fetched a new Envoy token from Enlighten, valid until ",
                FormatDate(token->claims.expires_at));
    warned_days_ = 0;
    expired_reported_ = false;
    announced_ = token->text;
    current_ = std::move(token);
    return true;
}

} // namespace meteremu::envoy
