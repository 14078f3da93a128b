// SPDX-License-Identifier: MIT
// The Envoy poll state machine: discovery (/info) → auth (token, session) → meters
// (/ivp/meters) → readings every poll_interval, with /production.json as the slow fallback
// and "no grid data" when there is no consumption CT. Each call of Poll() makes at most one
// request, so every wait is bounded by one request's timeout and the watchdog keeps ticking.
// Failures back off by kind (docs/protocols/envoy.md#failure-modes) and are logged once per run
// (platform/failure_log).
#pragma once

#include "backends/energy_counter.hpp"
#include "backends/envoy/envoy_connection.hpp"
#include "backends/envoy/envoy_error.hpp"
#include "backends/envoy/envoy_facts.hpp"
#include "backends/envoy/envoy_options.hpp"
#include "backends/envoy/gateway_pin.hpp"
#include "backends/envoy/health.hpp"
#include "backends/envoy/meters.hpp"
#include "backends/envoy/token_keeper.hpp"
#include "core/meter_state.hpp"
#include "platform/failure_log.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string_view>

namespace meteremu::envoy {

/// How long to wait after the `failures`-th failure in a row of this kind.
Seconds RetryDelay(ErrorKind kind, unsigned failures) noexcept;

/// /production.json is slow to generate: never requested more often than this.
inline constexpr Seconds kProductionJsonInterval{30.0};
/// /ivp/meters is read again this often while polling, and a gateway without grid data is
/// probed again this often.
inline constexpr Seconds kReprobeInterval{300.0};

/// Where the poller reads the time: the system clocks, or in tests a clock moved by hand.
struct PollerClock {
    std::function<SteadyTime()> steady = [] { return std::chrono::steady_clock::now(); };
    std::function<WallTime()> wall = [] { return std::chrono::system_clock::now(); };
};

class EnvoyPoller {
public:
    /// Polls the gateway at options.host through an EnvoyClient, on the system clocks.
    EnvoyPoller(const EnvoyOptions& options, MeterState& state, Seconds poll_interval,
                const std::filesystem::path& state_directory);
    /// The same, through `client` and on `clock` (tests drive the poller with fakes).
    EnvoyPoller(const EnvoyOptions& options, MeterState& state, Seconds poll_interval,
                const std::filesystem::path& state_directory,
                std::unique_ptr<EnvoyConnection> client, PollerClock clock);

    /// One step of the state machine; returns the wait before the next.
    Seconds Poll(std::stop_token stop);

    /// Saves the integrated energy counters, if any.
    void Shutdown() noexcept;

    const Health& GetHealth() const noexcept { return health_; }

    /// What the status page shows of the gateway. Thread-safe.
    SourceFacts Facts() const { return facts_.Get(); }

private:
    enum class Step {
        Discover,
        Authenticate,
        RefreshToken,
        ProbeMeters,
        ProbeProductionJson,
        PollReadings,
        PollProductionJson,
    };

    Seconds RunStep(std::stop_token stop);
    Seconds Discover(std::stop_token stop);
    Seconds Authenticate(std::stop_token stop);
    Seconds RefreshToken(std::stop_token stop);
    Seconds ProbeMeters(std::stop_token stop);
    Seconds ProductionJson(std::stop_token stop);
    Seconds PollReadings(std::stop_token stop);

    // Gateway trust (envoy_poller_trust.cpp).
    void LoadPin();
    bool HttpAllowed() const noexcept;
    std::string PlainHttpHint() const;
    EnvoyInfo DiscoverTrusted(std::stop_token stop);
    void CheckIdentity(const EnvoyInfo& info) const;
    void PinOnFirstUse();
    Seconds OnUntrusted(const EnvoyError& error);

    /// Runs `request` (one request to the gateway and the parsing of its answer) and counts it
    /// by result and duration for the status page; rethrows what it throws.
    void Measured(std::stop_token stop, const std::function<void()>& request);

    Seconds NeedToken(std::string why);
    Seconds NoGridData(const std::string& reason);
    void AdoptSetup(MeterSetup setup);
    void Publish(Reading reading, bool integrate);
    /// Saves the counters when `interval` passed (0: now); a failure is one warning per run.
    void SaveEnergy(SteadyTime now, Seconds interval) noexcept;
    void EnsureEnergyCounter(Seconds max_gap);
    bool RefreshAllowed(SteadyTime now) const noexcept;

    Seconds OnError(const EnvoyError& error);
    Seconds OnAuthError(const EnvoyError& error);
    Seconds OnRefreshFailed(const EnlightenError& error);
    /// Logs `problem` + `log_suffix`, shows `problem` on the status page and backs off.
    Seconds Fail(ErrorKind kind, const std::string& problem, std::string health,
                 std::string_view log_suffix = {});

    const EnvoyOptions& options_;
    MeterState& state_;
    Seconds poll_interval_;
    std::filesystem::path state_directory_;
    std::filesystem::path pin_file_;
    std::optional<GatewayPin> pin_;
    std::unique_ptr<EnvoyConnection> client_;
    PollerClock clock_;
    TokenKeeper tokens_;
    Health health_;
    EnvoyFacts facts_;
    log::FailureLog failure_log_;

    Step step_ = Step::Discover;
    Step resume_step_ = Step::ProbeMeters; ///< where a successful Authenticate continues
    std::optional<EnvoyInfo> info_;
    MeterSetup setup_;
    std::unique_ptr<EnergyCounter> energy_;
    unsigned failures_ = 0;      ///< failed steps in a row
    unsigned auth_failures_ = 0; ///< rejected tokens in a row
    bool rechecked_ = false;     ///< a 401 on data already led to a token re-check
    bool no_grid_logged_ = false;
    bool token_missing_logged_ = false;
    bool slow_logged_ = false;
    std::string untrusted_reported_; ///< the gateway-trust error last logged
    WallTime untrusted_since_{};
    std::optional<SteadyTime> meters_probed_at_;
    std::optional<SteadyTime> production_requested_at_;
    std::optional<SteadyTime> refresh_attempted_at_;
    std::optional<SteadyTime> expiry_checked_at_;
};

} // namespace meteremu::envoy
