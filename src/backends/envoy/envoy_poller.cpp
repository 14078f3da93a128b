// SPDX-License-Identifier: MIT
#include "backends/envoy/envoy_poller.hpp"

#include "backends/envoy/envoy_client.hpp"
#include "backends/envoy/production_json.hpp"
#include "backends/envoy/readings.hpp"
#include "platform/log.hpp"
#include "util/log_text.hpp"

#include <algorithm>
#include <cmath>

namespace meteremu::envoy {
namespace {

constexpr log::Domain kDomain{"envoy"};

constexpr Seconds kRequestTimeout{5.0};
/// /production.json takes up to ~5.4 s on a big site
/// (docs/protocols/envoy.md#latency-and-polling-rate); still well inside the watchdog.
constexpr Seconds kProductionJsonTimeout{10.0};
/// Re-read token_file this often while no usable token is there.
constexpr Seconds kTokenRetry{60.0};
/// Enlighten may rate-limit: at most one token request this often
/// (docs/protocols/envoy.md#enlighten-token-refresh).
constexpr Seconds kRefreshInterval{300.0};
constexpr Seconds kExpiryCheckInterval{3600.0};
constexpr Seconds kEnergySaveInterval{60.0};

bool Elapsed(const std::optional<SteadyTime>& since, Seconds interval, SteadyTime now) {
    return !since || now - *since >= interval;
}

Seconds Exponential(double first, double cap, unsigned failures) {
    return Seconds(std::min(cap, first * std::pow(2.0, std::min(failures, 16u) - 1.0)));
}

} // namespace

Seconds RetryDelay(ErrorKind kind, unsigned failures) noexcept {
    failures = std::max(failures, 1u);
    switch (kind) {
    case ErrorKind::Unreachable:
        // Short: the daily maintenance ends without notice; fresh data within 5 s of it.
        return Exponential(0.5, 3, failures);
    case ErrorKind::Auth:
        return Exponential(5, 300, failures);
    case ErrorKind::Server:
    case ErrorKind::Missing:
        return Exponential(2, 30, failures);
    case ErrorKind::BadData:
    case ErrorKind::Untrusted: // only /info, without a token, is asked meanwhile
        return Exponential(1, 10, failures);
    }
    return Seconds(5);
}

EnvoyPoller::EnvoyPoller(const EnvoyOptions& options, MeterState& state, Seconds poll_interval,
                         const std::filesystem::path& state_directory)
    : EnvoyPoller(options, state, poll_interval, state_directory,
                  std::make_unique<EnvoyClient>(
                      EnvoyClientOptions{options.host, options.verify_ssl, options.ca_file}),
                  PollerClock{}) {}

EnvoyPoller::EnvoyPoller(const EnvoyOptions& options, MeterState& state, Seconds poll_interval,
                         const std::filesystem::path& state_directory,
                         std::unique_ptr<EnvoyConnection> client, PollerClock clock)
    : options_(options), state_(state), poll_interval_(poll_interval),
      state_directory_(state_directory), pin_file_(GatewayPinPath(state_directory)),
      client_(std::move(client)), clock_(std::move(clock)), tokens_(options, state_directory),
      facts_(options.host), failure_log_(kDomain) {}

Seconds EnvoyPoller::Poll(std::stop_token stop) {
    try {
        return RunStep(stop);
    } catch (const EnvoyError& error) {
        return OnError(error);
    } catch (const EnlightenError& error) {
        return OnRefreshFailed(error);
    }
}

Seconds EnvoyPoller::RunStep(std::stop_token stop) {
    switch (step_) {
    case Step::Discover:
        return Discover(stop);
    case Step::Authenticate:
        return Authenticate(stop);
    case Step::RefreshToken:
        return RefreshToken(stop);
    case Step::ProbeMeters:
        return ProbeMeters(stop);
    case Step::ProbeProductionJson:
    case Step::PollProductionJson:
        return ProductionJson(stop);
    case Step::PollReadings:
        return PollReadings(stop);
    }
    return Seconds(1);
}

Seconds EnvoyPoller::Discover(std::stop_token stop) {
    EnvoyInfo info = DiscoverTrusted(stop);
    bool changed = !info_ || !(info_->firmware == info.firmware) || info_->serial != info.serial;
    if (changed) {
        if (info_)
            log::Notice(kDomain, "firmware changed from ", LogText(info_->firmware.Text()), " to ",
                        LogText(info.firmware.Text()), ": setting up again");
        log::Info(kDomain, "Envoy ", LogText(info.serial), " (", LogText(info.part_number), ") at ",
                  client_->BaseUrl(), ", firmware ", LogText(info.firmware.Text()),
                  info.metered ? (*info.metered ? ", metered" : ", not metered") : "");
        if (client_->PlainHttp())
            log::Warning(kDomain, "readings come over plain HTTP (allow_http = true): they are "
                                  "not authenticated, anyone on the LAN can send others");
        client_->DropSession();
        meters_probed_at_.reset();
        energy_.reset();
    }
    info_ = std::move(info);
    facts_.SetFirmware(info_->firmware.Text());
    resume_step_ = Step::ProbeMeters;
    if (info_->firmware.UsesTokens()) {
        step_ = client_->HasSession() ? Step::ProbeMeters : Step::Authenticate;
    } else {
        client_->UseLegacyLogin(info_->serial);
        step_ = Step::ProbeMeters;
    }
    return Seconds(0);
}

Seconds EnvoyPoller::NeedToken(std::string why) {
    facts_.Failed(why.starts_with("the ") ? why : "the Envoy " + why, std::nullopt, clock_.wall());
    health_.Set(Condition::NeedsToken, std::move(why));
    return kTokenRetry;
}

bool EnvoyPoller::RefreshAllowed(SteadyTime now) const noexcept {
    return tokens_.CanRefresh() && Elapsed(refresh_attempted_at_, kRefreshInterval, now);
}

Seconds EnvoyPoller::Authenticate(std::stop_token stop) {
    const Token* token = tokens_.Current(info_->serial);
    if (token)
        facts_.SetToken(TokenHolder(*token, options_), token->claims.expires_at);
    else
        facts_.SetToken("", std::nullopt);
    auto now = clock_.steady();
    if (!token || token->claims.expires_at <= clock_.wall()) {
        if (token) tokens_.ReportExpired();
        if (RefreshAllowed(now)) {
            step_ = Step::RefreshToken;
            return Seconds(0);
        }
        if (!token && !token_missing_logged_ && !tokens_.ForAnotherEnvoy())
            log::Error(kDomain, "firmware ", info_->firmware.Text(),
                       " needs a token: set token, token_file or an Enlighten login (see "
                       "\"Getting an Envoy token\" in the README)");
        token_missing_logged_ = !token;
        return NeedToken(token ? "token expired" : "needs a token");
    }
    token_missing_logged_ = false;
    expiry_checked_at_ = now;
    if (tokens_.CheckExpiry(clock_.wall()) && RefreshAllowed(now)) {
        step_ = Step::RefreshToken; // fewer than 30 days left: renew while the old one works
        return Seconds(0);
    }
    if (!token->claims.audience.empty() && token->claims.audience != info_->serial)
        return NeedToken("the token is for another Envoy"); // never sent; TokenKeeper said so
    client_->SetToken(token->text);
    Measured(stop, [&] { client_->CheckToken(stop); });
    PinOnFirstUse();
    step_ = resume_step_;
    return Seconds(0);
}

Seconds EnvoyPoller::RefreshToken(std::stop_token stop) {
    refresh_attempted_at_ = clock_.steady();
    // Discover has checked the serial against `serial` and the pin; without either, this is
    // the first use, whose gateway is about to be pinned.
    if (tokens_.RefreshStep(info_->serial, stop)) step_ = Step::Authenticate;
    return Seconds(0);
}

Seconds EnvoyPoller::ProbeMeters(std::stop_token stop) {
    MeterSetup setup;
    try {
        Measured(stop,
                 [&] { setup = ParseMeters(client_->Get("/ivp/meters", kRequestTimeout, stop)); });
    } catch (const EnvoyError& error) {
        // Old and non-metered firmware: 404, {"error": ...}, or 401 even with digest
        // (docs/protocols/envoy.md#legacy-digest).
        bool legacy_refusal = error.Kind() == ErrorKind::Auth && !info_->firmware.UsesTokens();
        if (error.Kind() != ErrorKind::Missing && !legacy_refusal) throw;
        setup.reason = "it has no /ivp/meters";
    }
    meters_probed_at_ = clock_.steady();
    AdoptSetup(std::move(setup));
    step_ = setup_.source == GridSource::None ? Step::ProbeProductionJson : Step::PollReadings;
    return Seconds(0);
}

void EnvoyPoller::AdoptSetup(MeterSetup setup) {
    bool changed = setup.source != setup_.source || setup.phase_count != setup_.phase_count ||
                   (setup.consumption ? setup.consumption->eid : 0) !=
                       (setup_.consumption ? setup_.consumption->eid : 0);
    if (changed && setup.source != GridSource::None) {
        log::Info(kDomain, "grid power from the ", LogText(setup.consumption->measurement_type),
                  " CT (eid ", setup.consumption->eid, "), ", setup.phase_count,
                  setup.phase_count == 1 ? " phase" : " phases",
                  setup.source == GridSource::TotalConsumption
                      ? ", minus the production CT; import and export energy are integrated "
                        "by meteremu"
                      : "");
        for (const auto& problem : MeterProblems(setup))
            log::Warning(kDomain, problem);
    }
    setup_ = std::move(setup);
    facts_.SetCtSetup(CtSetupText(setup_));
    if (setup_.source == GridSource::TotalConsumption)
        EnsureEnergyCounter(std::max(Seconds(10), 5 * poll_interval_));
}

Seconds EnvoyPoller::NoGridData(const std::string& reason) {
    failure_log_.Recovered("the Envoy answers again");
    facts_.Recovered(clock_.wall());
    if (!no_grid_logged_)
        log::Warning(kDomain,
                     "this Envoy has no enabled consumption CT, so it cannot measure "
                     "grid power (",
                     reason, "); no meter data is served, and meteremu checks again every ",
                     static_cast<int>(kReprobeInterval.count() / 60), " min");
    no_grid_logged_ = true;
    slow_logged_ = false;
    failures_ = 0;
    health_.Set(Condition::NoGridData);
    step_ = Step::ProbeMeters;
    return kReprobeInterval;
}

Seconds EnvoyPoller::ProductionJson(std::stop_token stop) {
    auto now = clock_.steady();
    if (production_requested_at_ && now - *production_requested_at_ < kProductionJsonInterval)
        return kProductionJsonInterval - (now - *production_requested_at_);
    production_requested_at_ = now;
    bool probing = step_ == Step::ProbeProductionJson;
    std::optional<ProductionJsonGrid> grid;
    try {
        Measured(stop, [&] {
            grid = ParseProductionJsonGrid(
                client_->Get("/production.json?details=1", kProductionJsonTimeout, stop));
        });
    } catch (const EnvoyError& error) {
        // While probing, a refusal or a page instead of data means this gateway has no
        // usable summary (3.x serves HTML, early 7.x answers 401 here); down or busy is
        // retried.
        bool retry = error.Kind() == ErrorKind::Unreachable || error.Kind() == ErrorKind::Server;
        if (!probing || retry) throw;
        return NoGridData(setup_.reason + ", and /production.json is unusable");
    }
    if (!grid) {
        if (probing) return NoGridData(setup_.reason);
        step_ = Step::ProbeMeters;
        throw BadData("/production.json: the consumption CT is no longer active");
    }
    if (!slow_logged_)
        log::Notice(kDomain,
                    "this Envoy gives grid power only in /production.json, which is "
                    "slow to generate: one reading every ",
                    static_cast<int>(std::max(poll_interval_, kProductionJsonInterval).count()),
                    " s, energy integrated by meteremu and no frequency; set stale_after = 45 "
                    "or more");
    slow_logged_ = true;
    facts_.SetCtSetup("consumption CT, read from /production.json every " +
                      std::to_string(static_cast<int>(kProductionJsonInterval.count())) + " s");
    step_ = Step::PollProductionJson;
    EnsureEnergyCounter(4 * kProductionJsonInterval);
    Publish(grid->reading, true);
    health_.Set(Condition::Slow);
    return std::max(poll_interval_, kProductionJsonInterval);
}

Seconds EnvoyPoller::PollReadings(std::stop_token stop) {
    auto now = clock_.steady();
    if (Elapsed(meters_probed_at_, kReprobeInterval, now)) {
        step_ = Step::ProbeMeters;
        return Seconds(0);
    }
    if (info_->firmware.UsesTokens() && Elapsed(expiry_checked_at_, kExpiryCheckInterval, now)) {
        expiry_checked_at_ = now;
        if (tokens_.CheckExpiry(clock_.wall()) && RefreshAllowed(now)) {
            resume_step_ = Step::PollReadings;
            step_ = Step::RefreshToken;
            return Seconds(0);
        }
    }
    bool total = setup_.source == GridSource::TotalConsumption;
    Reading reading;
    try {
        // A reply the mapping cannot use counts as a bad reply, so the mapping is measured too.
        Measured(stop, [&] {
            ReadingsDocument document(client_->Get("/ivp/meters/readings", kRequestTimeout, stop));
            reading =
                total ? MapTotalConsumption(setup_, document) : MapNetConsumption(setup_, document);
        });
    } catch (const EnvoyError& error) {
        if (error.Kind() != ErrorKind::Missing) throw;
        setup_.reason = "it has no /ivp/meters/readings";
        step_ = Step::ProbeProductionJson;
        return Seconds(0);
    }
    Publish(reading, total);
    health_.Set(Condition::Ok);
    return poll_interval_;
}

void EnvoyPoller::EnsureEnergyCounter(Seconds max_gap) {
    if (energy_) return;
    energy_ = std::make_unique<EnergyCounter>(state_directory_ / "envoy-energy.json", max_gap);
    try {
        energy_->Load(info_->serial);
    } catch (const std::exception& error) {
        log::Warning(kDomain,
                     "cannot load the saved energy counters, starting from 0: ", error.what());
    }
}

/// The reading goes out before the counters are saved: the save syncs a file (milliseconds on
/// an SD card), which must not make the replies wait for the new reading.
void EnvoyPoller::Publish(Reading reading, bool integrate) {
    auto now = clock_.steady();
    reading.received_at = now;
    if (integrate && energy_) energy_->Add(reading, now);
    state_.Publish(reading);
    if (integrate && energy_) SaveEnergy(now, kEnergySaveInterval);
    failure_log_.Recovered("Envoy readings are back");
    facts_.Recovered(clock_.wall());
    failures_ = 0;
    auth_failures_ = 0;
    rechecked_ = false;
    no_grid_logged_ = false;
    untrusted_reported_.clear();
}

void EnvoyPoller::SaveEnergy(SteadyTime now, Seconds interval) noexcept {
    if (auto error = energy_->TrySaveIfDue(now, interval))
        log::Warning(kDomain, "cannot save the energy counters: ", *error);
}

void EnvoyPoller::Shutdown() noexcept {
    if (energy_) SaveEnergy(std::chrono::steady_clock::now(), Seconds(0));
}

} // namespace meteremu::envoy
