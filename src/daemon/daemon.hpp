// SPDX-License-Identifier: MIT
// The serving parts and their lifecycle: meter state, frontend and its servers, backend.
// Start comes in two steps (servers, then polling) so READY=1 goes out between them and
// never waits for the data source; Reload applies an edited configuration without closing a
// listening socket; Stop undoes everything in reverse order. The main thread's loop —
// signals, sd_notify, watchdog — is the Supervisor's (daemon/supervisor.hpp).
#pragma once

#include "backends/backend.hpp"
#include "config/config.hpp"
#include "core/heartbeat.hpp"
#include "core/meter_state.hpp"
#include "daemon/frontend_slot.hpp"
#include "daemon/status_line.hpp"
#include "frontends/jsonrpc/rpc_udp.hpp"
#include "frontends/jsonrpc/rpc_websocket.hpp"
#include "net/allow_list.hpp"
#include "net/client_tracker.hpp"
#include "net/http_probe.hpp"
#include "net/http_server.hpp"
#include "net/udp_server.hpp"
#include "net/websocket_server.hpp"
#include "platform/log.hpp"
#include "platform/mdns.hpp"
#include "platform/systemd.hpp"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace meteremu {

/// Where state survives restarts: $STATE_DIRECTORY (systemd's StateDirectory=), else the
/// built-in default (/var/lib/meteremu).
std::filesystem::path StateDirectory();

class Daemon {
public:
    /// `log_level_override`: --log-level, which wins over log_level of every configuration
    /// loaded, the first and the reloaded ones.
    Daemon(Config config, std::optional<log::Level> log_level_override);
    ~Daemon();

    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    /// The sockets the servers use.
    struct Listeners {
        UniqueFd http;
        std::vector<UniqueFd> udp;
    };

    /// The sockets systemd passed, or, when it passed none, the configured ports bound here.
    /// Throws std::system_error when a port cannot be bound.
    Listeners AcquireListeners(systemd::PassedSockets passed) const;

    /// Builds the meter state and the frontend and starts the servers on `listeners`; they
    /// answer when this returns. Throws on failure.
    void StartServing(Listeners listeners);

    /// Starts the backend's poller thread; returns without waiting for a reading. Throws.
    void StartPolling();

    /// Reads the configuration file again. On success applies it and returns true; when it
    /// is invalid, or its frontend or backend cannot be created, logs every error, keeps the
    /// running configuration and returns false. Throws only when the new backend's thread
    /// cannot start (the old one is stopped by then): the daemon exits and systemd restarts.
    bool Reload();

    void Stop() noexcept;

    /// What the STATUS line shows, now.
    StatusInputs Status(SteadyTime now) const;

    /// The threads the watchdog checks by heartbeat, by name.
    std::vector<std::pair<std::string, const Heartbeat*>> Heartbeats() const;

    /// A probe request to our own HTTP server, for the watchdog.
    HttpProbe MakeHttpProbe() const;

private:
    std::unique_ptr<Frontend> CreateFrontend(const Config& config) const;
    std::unique_ptr<Backend> CreateBackend(const Config& config);
    std::optional<Config> ReadConfig() const;
    void Apply(Config next, std::unique_ptr<Frontend> frontend, std::unique_ptr<Backend> backend);
    void ApplyLogLevel(const Config& config) const noexcept;
    void WarnAboutListenChanges(const Config& next) const;
    /// Makes room for every descriptor the limits allow; warns when the system says no.
    void RaiseFileLimit() const;
    /// Serves JSON-RPC over UDP on `sockets` (none: UDP is off).
    void StartUdp(std::vector<UniqueFd> sockets);
    /// Advertises the frontend's services on the HTTP server's real port, or updates what is
    /// advertised; withdraws them when mdns is off. Called after start and every reload.
    void PublishMdns();

    Config config_;
    std::optional<log::Level> log_level_override_;
    SteadyTime started_at_;
    Heartbeat poller_heartbeat_;
    ClientTracker clients_;
    ClientFilter client_filter_; ///< the allow list, replaced by a reload
    std::unique_ptr<MeterState> state_;
    std::unique_ptr<FrontendSlot> frontend_;
    std::unique_ptr<RpcWebSocket> rpc_websocket_;
    std::unique_ptr<WebSocketServer> websocket_;
    std::unique_ptr<HttpServer> http_;
    std::unique_ptr<RpcUdpHandler> rpc_udp_;
    std::unique_ptr<UdpServer> udp_;
    /// Wakes the WebSocket pushes on every new reading.
    ReadingSubscription push_subscription_;
    std::unique_ptr<Backend> backend_;
    std::unique_ptr<MdnsPublisher> mdns_;
};

} // namespace meteremu
