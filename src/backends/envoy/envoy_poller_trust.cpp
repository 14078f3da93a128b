// SPDX-License-Identifier: MIT
// Which gateway the Envoy poller trusts (README "Gateway pinning"): the first one that accepts
// a token is pinned by serial and certificate key; another key or serial gets no token and
// its readings are not used until the owner accepts it. Plain HTTP, which anyone on the LAN
// can answer, only when the configuration asks for it and nothing calls for HTTPS.
#include "backends/envoy/envoy_poller.hpp"
#include "platform/log.hpp"
#include "util/log_text.hpp"

namespace meteremu::envoy {
namespace {

constexpr log::Domain kDomain{"envoy"};

} // namespace

void EnvoyPoller::LoadPin() {
    try {
        // Read again each time: `meteremu --forget-gateway` may have deleted it meanwhile.
        pin_ = LoadGatewayPin(pin_file_);
    } catch (const std::exception& error) {
        throw EnvoyError(ErrorKind::Untrusted,
                         std::string("cannot read the gateway pin, so no gateway is trusted: ") +
                             error.what() + "; delete it with meteremu --forget-gateway");
    }
}

/// A token, a CA or a pin means the gateway speaks HTTPS: an HTTP answer is an impostor's.
bool EnvoyPoller::HttpAllowed() const noexcept {
    return options_.allow_http && !options_.verify_ssl && options_.ca_file.empty() &&
           options_.token.empty() && options_.token_file.empty() && !pin_;
}

std::string EnvoyPoller::PlainHttpHint() const {
    bool needs_https = options_.verify_ssl || !options_.ca_file.empty() ||
                       !options_.token.empty() || !options_.token_file.empty() || pin_;
    return needs_https ? " (plain HTTP is not tried: a token, ca_file, verify_ssl or the pinned "
                         "gateway calls for HTTPS)"
                       : " (plain HTTP is not tried: for an Envoy with firmware older than 7 "
                         "set allow_http = true)";
}

EnvoyInfo EnvoyPoller::DiscoverTrusted(std::stop_token stop) {
    LoadPin();
    bool known_token_firmware = info_ && info_->firmware.UsesTokens();
    bool http_allowed = HttpAllowed();
    EnvoyInfo info;
    try {
        Measured(stop,
                 [&] { info = client_->Discover(stop, http_allowed && !known_token_firmware); });
    } catch (const EnvoyError& error) {
        if (http_allowed || known_token_firmware || error.Kind() != ErrorKind::Unreachable) throw;
        throw EnvoyError(error.Kind(), std::string(error.what()) + PlainHttpHint(),
                         error.HttpStatus(), error.TimedOut());
    }
    if (client_->PlainHttp() || !info.firmware.UsesTokens()) {
        if (!http_allowed)
            throw EnvoyError(ErrorKind::Untrusted,
                             "the gateway at " + options_.host + " reports firmware " +
                                 LogText(info.firmware.Text()) +
                                 ", which serves readings only over plain HTTP: not used, "
                                 "since anyone on the LAN can answer plain HTTP. For an Envoy "
                                 "with firmware older than 7 set allow_http = true (without "
                                 "token, ca_file or verify_ssl)");
        return info;
    }
    if (!pin_ && client_->PeerKey().empty())
        throw EnvoyError(ErrorKind::Untrusted,
                         "cannot read the certificate key of the gateway at " + options_.host +
                             ", so no token is sent to it");
    CheckIdentity(info);
    client_->PinKey(pin_ ? pin_->key : client_->PeerKey());
    return info;
}

void EnvoyPoller::CheckIdentity(const EnvoyInfo& info) const {
    if (!options_.serial.empty() && info.serial != options_.serial)
        throw EnvoyError(ErrorKind::Untrusted,
                         "the gateway at " + options_.host + " reports serial " +
                             LogText(info.serial) + " but serial = " + LogText(options_.serial) +
                             " is configured: no token is sent and no reading used");
    if (!pin_) return;
    std::string changes;
    if (info.serial != pin_->serial)
        changes = "serial " + LogText(pin_->serial) + " is now " + LogText(info.serial);
    if (client_->PeerKey() != pin_->key)
        changes += (changes.empty() ? "" : ", ") + std::string("certificate key ") + pin_->key +
                   " is now " + (client_->PeerKey().empty() ? "unknown" : client_->PeerKey());
    if (changes.empty()) return;
    throw EnvoyError(ErrorKind::Untrusted,
                     "the gateway at " + options_.host + " is not the Envoy meteremu trusts (" +
                         changes +
                         "): no token is sent and no reading used. If the Envoy was replaced "
                         "or reset, accept it with meteremu --forget-gateway (or delete " +
                         pin_file_.string() + ")");
}

void EnvoyPoller::PinOnFirstUse() {
    if (pin_) return;
    GatewayPin pin{info_->serial, client_->PeerKey()};
    if (pin.key.empty() || pin.serial != LogText(pin.serial)) {
        step_ = Step::Discover; // so that OnUntrusted logs it and backs off
        throw EnvoyError(ErrorKind::Untrusted, "cannot pin the gateway at " + options_.host +
                                                   ": no certificate key or no printable serial");
    }
    try {
        SaveGatewayPin(pin_file_, pin);
        log::Notice(kDomain, "trusting Envoy ", pin.serial, " with certificate key ", pin.key,
                    " from now on (pinned in ", pin_file_.string(), ")");
    } catch (const std::exception& error) {
        log::Warning(kDomain,
                     "cannot save the gateway pin (trusted until restart only): ", error.what());
    }
    pin_ = std::move(pin);
}

Seconds EnvoyPoller::OnUntrusted(const EnvoyError& error) {
    client_->DropSession();
    if (step_ != Step::Discover) {
        // A data connection met another key: /info says who answers now, without a token.
        log::Debug(kDomain, error.what());
        step_ = Step::Discover;
        return Seconds(0);
    }
    if (untrusted_reported_ != error.what()) {
        log::Error(kDomain, error.what());
        untrusted_reported_ = error.what();
        untrusted_since_ = clock_.wall();
    }
    facts_.Failed(error.what(), untrusted_since_, clock_.wall());
    Seconds wait = RetryDelay(ErrorKind::Untrusted, failures_);
    health_.SetFailing("is not the trusted gateway", untrusted_since_, wait);
    return wait;
}

} // namespace meteremu::envoy
