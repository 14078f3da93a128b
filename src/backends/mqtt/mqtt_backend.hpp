// SPDX-License-Identifier: MIT
// The MQTT backend: subscribes to the configured topics on a broker and publishes a grid
// reading whenever a message completes one (docs/protocols/mqtt.md). The connection runs on
// the backend's own thread through PollLoop, which keeps the watchdog heartbeat ticking.
#pragma once

#include "backends/backend.hpp"
#include "backends/energy_counter.hpp"
#include "backends/link_health.hpp"
#include "backends/mqtt/channel_values.hpp"
#include "backends/mqtt/mqtt_client.hpp"
#include "backends/mqtt/mqtt_options.hpp"
#include "backends/poll_loop.hpp"
#include "platform/failure_log.hpp"

#include <memory>
#include <optional>

namespace meteremu::mqtt {

class MqttBackend final : public Backend, private ClientEvents {
public:
    MqttBackend(const MqttOptions& options, const BackendContext& context);
    ~MqttBackend() override;

    void Start() override;
    void Stop() noexcept override;
    std::string Describe() const override;
    bool Pushes() const noexcept override { return true; }
    std::string Health() const override { return health_.Summary(); }

private:
    enum class Link { Down, Connecting, Up };

    Seconds Step();
    Seconds Connect();
    Seconds LinkFailed(const std::string& what, const std::string& health);
    /// 1 s after the first failed attempt, doubling up to 30 s.
    Seconds RetryWait() const;
    void CheckSilence(SteadyTime now);
    void Publish(SteadyTime now);
    /// Saves the counters when `interval` passed (0: now); a failure is one warning per run.
    void SaveEnergy(SteadyTime now, Seconds interval) noexcept;

    void OnConnected() override;
    void OnRefused(std::string_view reason, bool auth) override;
    void OnMessage(std::string_view topic, std::string_view payload) override;
    void OnSubscribed(std::string_view topic) override;
    void OnSubscriptionRefused(std::string_view topic) override;

    MqttOptions options_;
    MeterState& state_;
    ChannelValues values_;
    EnergyCounter energy_;
    LinkHealth health_{"mqtt"};
    // One run of failures each, so that one kind going on does not hide another starting.
    log::FailureLog link_log_;    ///< unreachable, auth refused, connection lost
    log::FailureLog data_log_;    ///< unparsable payloads, refused subscriptions
    log::FailureLog silence_log_; ///< a topic without a value for stale_after
    std::unique_ptr<Client> client_;
    Link link_ = Link::Down;
    bool attempt_reported_ = false; ///< this connection attempt's failure is logged already
    unsigned failed_attempts_ = 0;
    SteadyTime attempt_started_{};
    SteadyTime connected_at_{};
    const Channel* silent_ = nullptr;
    PollLoop loop_;
};

} // namespace meteremu::mqtt
