// SPDX-License-Identifier: MIT
// One emulated device with everything that serves it: its MeterState (its site layout and
// freshness policy), the frontend in a FrontendSlot, and the servers its plugin declares
// (FrontendTransports: HTTP, the WebSocket on /rpc, UDP with the plugin's datagram handler),
// its allow list and its mDNS services. The daemon holds one per [frontend] table; the tests
// of the servers build the same bundle rather than wiring servers by hand.
// A reload replaces the frontend and the allow list in place; the sockets and the other
// limits stay until the next restart.
#pragma once

#include "config/config.hpp"
#include "core/heartbeat.hpp"
#include "core/meter_state.hpp"
#include "core/sample_gate.hpp"
#include "daemon/frontend_slot.hpp"
#include "frontends/jsonrpc/rpc_websocket.hpp"
#include "net/allow_list.hpp"
#include "net/client_tracker.hpp"
#include "net/http_probe.hpp"
#include "net/http_server.hpp"
#include "net/socket.hpp"
#include "net/udp_server.hpp"
#include "net/websocket_server.hpp"
#include "platform/mdns.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace meteremu {

/// The sockets one frontend's servers use.
struct FrontendListeners {
    UniqueFd http;
    std::vector<UniqueFd> udp;
};

class FrontendBundle {
public:
    /// Builds the frontend `settings` describe on a MeterState of its own, then starts its
    /// servers on `listeners`; they answer when this returns. `name` labels log lines and
    /// heartbeats; every client is reported to `clients` when given; `status`, when given,
    /// answers / and /status.json on the HTTP port. Throws on failure.
    FrontendBundle(std::string name, const FrontendSettings& settings, Seconds stale_after,
                   FrontendListeners listeners, SteadyTime started_at,
                   ClientTracker* clients = nullptr, const StatusPage* status = nullptr);
    /// Withdraws the mDNS services and stops the servers.
    ~FrontendBundle();

    FrontendBundle(const FrontendBundle&) = delete;
    FrontendBundle& operator=(const FrontendBundle&) = delete;

    /// Binds the ports of `listen` (port 0: an ephemeral one). Throws std::system_error.
    static FrontendListeners Bind(const ListenSettings& listen);

    const std::string& Name() const noexcept { return name_; }
    const FrontendSettings& Settings() const noexcept { return settings_; }

    /// The readings this device serves; the daemon publishes every backend reading here.
    MeterState& State() noexcept { return *state_; }

    /// A new frontend for `next`, on this bundle's state, not yet serving. Throws.
    std::unique_ptr<Frontend> CreateFrontend(const FrontendSettings& next) const;

    /// Warns about what of `next` waits for a restart (ports, limits).
    void WarnAboutRestartOnlyChanges(const FrontendSettings& next) const;

    /// Serves `frontend` (built by CreateFrontend(next)) under `next`'s layout, freshness,
    /// allow list and mDNS; keeps the sockets and the other limits. Returns the settings now
    /// in force.
    const FrontendSettings& Apply(const FrontendSettings& next, Seconds stale_after,
                                  std::unique_ptr<Frontend> frontend);

    /// Replaces the allow list; closes the WebSocket clients it refuses now.
    void ApplyAllow(AllowList allow);

    /// e.g. "Shelly Pro 3EM shellypro3em-0aa1b2c3d4e5 (triphase)"; kept at each (re)start
    /// of the frontend, so the status page asks nothing of the frontend the requests use.
    std::string Describe() const;

    std::uint16_t HttpPort() const { return http_->Port(); }
    /// The WebSocket server; null when the plugin declares none.
    WebSocketServer* WebSocket() noexcept { return websocket_.get(); }
    /// The UDP ports really served; empty without UDP.
    std::vector<std::uint16_t> UdpPorts() const;
    /// The UDP server's counters since the start; zero without UDP.
    UdpCounters UdpTotals() const noexcept { return udp_ ? udp_->Counters() : UdpCounters{}; }
    /// What the UDP handler learnt of its clients (DatagramHandler::StatusJson); "" for none.
    std::string UdpStatusJson(SteadyTime now) const {
        return datagram_handler_ ? datagram_handler_->StatusJson(now) : std::string();
    }
    /// Where advertising over mDNS stands, for the status page: "off" (mdns = false),
    /// "starting" (nothing reported yet) or the latest report's MdnsEventName, with its detail.
    std::pair<std::string, std::string> MdnsStatus() const;

    /// The HTTP server's connections, open now and since the start.
    ConnectionGate::Stats HttpConnections() const noexcept { return http_->Connections(); }
    /// WebSocket connections open now; 0 without a WebSocket.
    std::size_t WebSocketClients() const noexcept { return websocket_ ? websocket_->Clients() : 0; }

    /// The sample gate of each transport (core/sample_gate.hpp), for the status and tests.
    const SampleGate& UdpGate() const noexcept { return udp_gate_; }
    const SampleGate& HttpGate() const noexcept { return http_gate_; }
    const SampleGate& WebSocketGate() const noexcept { return websocket_gate_; }

    /// The threads the watchdog checks by heartbeat, by name.
    std::vector<std::pair<std::string, const Heartbeat*>> Heartbeats() const;

    /// A probe request to this bundle's HTTP server, for the watchdog.
    HttpProbe MakeHttpProbe() const;

    /// Stops the servers; idempotent. After it the bundle answers nothing.
    void Stop() noexcept;

private:
    std::string LogPrefix() const;
    void StartHttp(UniqueFd socket);
    void StartUdp(std::vector<UniqueFd> sockets);
    /// Advertises the frontend's services on the HTTP server's real port, or updates them;
    /// withdraws them when mdns is off.
    void PublishMdns();

    std::string name_;
    std::string describe_;
    FrontendSettings settings_;
    FrontendTransports transports_;
    ClientTracker* clients_;
    ClientFilter filter_;
    std::unique_ptr<MeterState> state_;
    // Before the servers that use them; a reload sets their policies (Apply).
    SampleGate udp_gate_, http_gate_, websocket_gate_;
    std::unique_ptr<FrontendSlot> slot_;
    std::unique_ptr<RpcWebSocket> rpc_websocket_;
    std::unique_ptr<WebSocketServer> websocket_;
    std::unique_ptr<HttpServer> http_;
    std::unique_ptr<DatagramHandler> datagram_handler_;
    std::unique_ptr<UdpServer> udp_;
    /// Wakes the WebSocket pushes and the UDP threads' held polls on every new reading.
    ReadingSubscription push_subscription_;
    ReadingSubscription udp_subscription_;
    ReadingSubscription http_subscription_;
    mutable std::mutex mdns_mutex_;
    std::optional<MdnsReport> mdns_report_; ///< the latest, from the Avahi thread
    std::unique_ptr<MdnsPublisher> mdns_;   ///< last: reports stop before what they update goes
};

} // namespace meteremu
