// SPDX-License-Identifier: MIT
#include "backends/envoy/envoy_facts.hpp"

#include <utility>

namespace meteremu::envoy {

EnvoyFacts::EnvoyFacts(std::string address) {
    facts_.kind = "envoy";
    facts_.address = std::move(address);
    facts_.requests.emplace();
}

void EnvoyFacts::SetFirmware(std::string firmware) {
    std::lock_guard lock(mutex_);
    facts_.firmware = std::move(firmware);
}

void EnvoyFacts::SetCtSetup(std::string ct_setup) {
    std::lock_guard lock(mutex_);
    facts_.ct_setup = std::move(ct_setup);
}

void EnvoyFacts::SetToken(std::string holder, std::optional<WallTime> expires) {
    std::lock_guard lock(mutex_);
    facts_.token_holder = std::move(holder);
    facts_.token_expires = expires;
}

void EnvoyFacts::Failed(std::string problem, std::optional<WallTime> since, WallTime now) {
    std::lock_guard lock(mutex_);
    bool ongoing = facts_.last_error_at && !facts_.last_error_cleared;
    if (since)
        facts_.last_error_at = since;
    else if (!ongoing)
        facts_.last_error_at = now;
    facts_.last_error = std::move(problem);
    facts_.last_error_cleared.reset();
}

void EnvoyFacts::Recovered(WallTime now) {
    std::lock_guard lock(mutex_);
    if (facts_.last_error_at && !facts_.last_error_cleared) facts_.last_error_cleared = now;
}

void EnvoyFacts::Record(RequestResult result, Seconds duration) {
    std::lock_guard lock(mutex_);
    facts_.requests->Record(result, duration);
}

SourceFacts EnvoyFacts::Get() const {
    std::lock_guard lock(mutex_);
    return facts_;
}

RequestResult ResultOf(const EnvoyError& error) noexcept {
    if (error.TimedOut()) return RequestResult::Timeout;
    long status = error.HttpStatus();
    if (status == 401 || status == 403) return RequestResult::Refused;
    if (status != 0) return RequestResult::HttpError;
    switch (error.Kind()) {
    case ErrorKind::Unreachable:
        return RequestResult::Unreachable;
    case ErrorKind::Untrusted:
        return RequestResult::Untrusted;
    case ErrorKind::Auth:
        return RequestResult::Refused;
    case ErrorKind::Server:
    case ErrorKind::Missing: // also a JSON error body on a 200: the gateway said no
        return RequestResult::HttpError;
    case ErrorKind::BadData:
        break;
    }
    return RequestResult::BadReply;
}

std::string CtSetupText(const MeterSetup& setup) {
    if (setup.source == GridSource::None || !setup.consumption)
        return setup.reason.empty() ? std::string() : "no grid measurement: " + setup.reason;
    std::string text = setup.consumption->measurement_type + " CT, " +
                       std::to_string(setup.phase_count) +
                       (setup.phase_count == 1 ? " phase" : " phases");
    if (setup.source == GridSource::TotalConsumption)
        text += " (grid = consumption - production; energy counted by meteremu)";
    return text;
}

std::string TokenHolder(const Token& token, const EnvoyOptions& options) {
    if (!token.claims.username.empty()) return MaskEmail(token.claims.username);
    if (token.origin == "token_file") return "token file";
    if (token.origin == "token") return "configuration";
    // Fetched from Enlighten (saved in the state directory, or not): with the configured login.
    return options.username.empty() ? "Enlighten" : MaskEmail(options.username);
}

} // namespace meteremu::envoy
