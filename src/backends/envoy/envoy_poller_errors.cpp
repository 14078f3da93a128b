// SPDX-License-Identifier: MIT
// What the Envoy poller does when a step fails (docs/protocols/envoy.md#failure-modes): back off by
// kind, log once per run, start again from /info after repeated failures, re-check the token after
// a 401.
#include "backends/envoy/envoy_poller.hpp"
#include "platform/log.hpp"

namespace meteremu::envoy {
namespace {

constexpr log::Domain kDomain{"envoy"};
constexpr unsigned kRediscoverAfter = 3;
constexpr char kTokenHelp[] = " (see \"Getting an Envoy token\" in the README)";

std::string_view HealthWord(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::Unreachable:
        return "unreachable";
    case ErrorKind::Auth:
        return "rejects the token";
    case ErrorKind::Server:
    case ErrorKind::Missing:
        return "answers errors";
    case ErrorKind::BadData:
        return "sends bad data";
    case ErrorKind::Untrusted:
        return "is not the trusted gateway";
    }
    return "failing";
}

} // namespace

void EnvoyPoller::Measured(std::stop_token stop, const std::function<void()>& request) {
    SteadyTime start = clock_.steady();
    try {
        request();
    } catch (const EnvoyError& error) {
        // A request cut short by Stop() says nothing about the gateway.
        if (!stop.stop_requested()) facts_.Record(ResultOf(error), clock_.steady() - start);
        throw;
    }
    facts_.Record(RequestResult::Ok, clock_.steady() - start);
}

Seconds EnvoyPoller::Fail(ErrorKind kind, const std::string& problem, std::string health,
                          std::string_view log_suffix) {
    failure_log_.Failed(problem + std::string(log_suffix));
    facts_.Failed(problem, failure_log_.Since(), clock_.wall());
    Seconds wait = RetryDelay(kind, kind == ErrorKind::Auth ? auth_failures_ : failures_);
    health_.SetFailing(std::move(health), failure_log_.Since(), wait);
    return wait;
}

Seconds EnvoyPoller::OnError(const EnvoyError& error) {
    ++failures_;
    if (error.Kind() == ErrorKind::Untrusted) return OnUntrusted(error);
    if (error.Kind() == ErrorKind::Auth && info_ && info_->firmware.UsesTokens())
        return OnAuthError(error);
    // Formats change with pushed firmware and gateways reboot: after a few failures, set up
    // again from /info (which also notices a firmware change).
    if (failures_ >= kRediscoverAfter || !info_) step_ = Step::Discover;
    std::string what;
    switch (error.Kind()) {
    case ErrorKind::Unreachable:
        what = "cannot reach the Envoy: ";
        break;
    case ErrorKind::BadData:
        what = "unusable data from the Envoy, sample discarded: ";
        break;
    default:
        what = "the Envoy answers an error: ";
        break;
    }
    return Fail(error.Kind(), what + error.what(), std::string(HealthWord(error.Kind())),
                "; retrying");
}

Seconds EnvoyPoller::OnAuthError(const EnvoyError& error) {
    if (step_ != Step::Authenticate) {
        client_->DropSession();
        resume_step_ = step_;
        step_ = Step::Authenticate;
        if (!rechecked_) {
            // Sessions expire and firmware updates drop them: check the token again at once.
            rechecked_ = true;
            log::Debug(kDomain, error.what(), ": checking the token again");
            return Seconds(0);
        }
        ++auth_failures_;
        return Fail(ErrorKind::Auth,
                    std::string(error.what()) + " although the Envoy accepted the token",
                    "rejects the token", "; retrying");
    }
    if (RefreshAllowed(clock_.steady())) {
        log::Notice(kDomain, "the Envoy rejects the token: fetching a new one from Enlighten");
        step_ = Step::RefreshToken;
        return Seconds(0);
    }
    ++auth_failures_;
    return Fail(ErrorKind::Auth, std::string("the Envoy rejects the token") + kTokenHelp,
                "rejects the token");
}

Seconds EnvoyPoller::OnRefreshFailed(const EnlightenError& error) {
    step_ = Step::Authenticate;
    ++auth_failures_;
    if (error.GetReason() == EnlightenError::Reason::MultiFactor) {
        // TokenKeeper has said it, once and clearly; nothing more to add here.
        return NeedToken("needs a token pasted by hand");
    }
    return Fail(ErrorKind::Auth,
                std::string("cannot fetch a new token from Enlighten: ") + error.what(),
                "cannot get a token");
}

} // namespace meteremu::envoy
