// SPDX-License-Identifier: MIT
// The Home Assistant backend: seeds the configured entities once through REST
// (GET /api/states/<entity>), then follows them live over the WebSocket API (auth,
// subscribe_entities, an application ping at least every 30 s), reconnecting with back-off.
// The connection runs on the backend's own thread through PollLoop, which keeps the watchdog
// heartbeat ticking. See docs/protocols/home-assistant.md.
#pragma once

#include "backends/backend.hpp"
#include "backends/energy_counter.hpp"
#include "backends/home_assistant/entity_values.hpp"
#include "backends/home_assistant/ha_options.hpp"
#include "backends/link_health.hpp"
#include "backends/poll_loop.hpp"
#include "net/http_client.hpp"
#include "net/websocket_client.hpp"
#include "platform/failure_log.hpp"

#include <memory>

namespace meteremu::home_assistant {

class HomeAssistantBackend final : public Backend {
public:
    HomeAssistantBackend(const HomeAssistantOptions& options, const BackendContext& context);
    ~HomeAssistantBackend() override;

    void Start() override;
    void Stop() noexcept override;
    std::string Describe() const override;
    std::string Health() const override { return health_.Summary(); }
    bool Pushes() const noexcept override { return true; }

private:
    /// Where the connection stands; each phase waits for one thing.
    enum class Phase { Down, Seeding, AwaitAuthRequired, AwaitAuthOk, Subscribing, Live };

    Seconds Step(std::stop_token stop);
    Seconds SeedNext(std::stop_token stop);
    void SeedFrom(const ClientResponse& response, const Entity& entity);
    Seconds Open(std::stop_token stop);
    Seconds Talk();
    void HandleFrame(const std::string& text);
    void Handle(const ServerMessage& message);
    void Subscribed(const ServerMessage& result);
    void ApplyUpdates(const std::vector<EntityUpdate>& updates, bool first);
    void ReportMissing();
    void KeepAlive(SteadyTime now);
    void Send(const std::string& message);
    Seconds LinkFailed(const std::string& what, const std::string& health);
    Seconds EntityUnknown(const Entity& entity);
    /// 1 s after the first failed attempt, doubling up to 30 s.
    Seconds RetryWait() const;
    void Publish();
    /// Saves the counters when `interval` passed (0: now); a failure is one warning per run.
    void SaveEnergy(SteadyTime now, Seconds interval) noexcept;

    HomeAssistantOptions options_;
    std::string websocket_url_;
    MeterState& state_;
    EntityValues values_;
    EnergyCounter energy_;
    LinkHealth health_{"home_assistant"};
    // One run of failures each, so that one kind going on does not hide another starting.
    log::FailureLog link_log_;   ///< unreachable, auth refused, connection lost
    log::FailureLog entity_log_; ///< an entity missing, unavailable or removed
    log::FailureLog data_log_;   ///< unparsable messages and states
    std::string token_;
    std::unique_ptr<HttpClient> http_;
    std::unique_ptr<WebSocketClient> socket_;
    Phase phase_ = Phase::Down;
    bool seeded_ = false;
    std::size_t seed_index_ = 0;
    bool attempt_reported_ = false;
    unsigned failed_attempts_ = 0;
    SteadyTime phase_started_{};
    std::int64_t next_id_ = 1;
    std::int64_t subscribe_id_ = 0;
    bool first_event_seen_ = false;
    std::int64_t ping_id_ = 0;
    bool ping_pending_ = false;
    SteadyTime ping_sent_at_{};
    WallTime ping_sent_wall_{};
    PollLoop loop_;
};

/// How often a live connection is pinged: every 30 s, or every half of `stale_after` when
/// that is shorter, so a pong renews the reading before it would become stale.
Seconds PingPeriod(Seconds stale_after) noexcept;

} // namespace meteremu::home_assistant
