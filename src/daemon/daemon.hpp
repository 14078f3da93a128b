// SPDX-License-Identifier: MIT
// Lifecycle: build the meter state, the frontend and its servers, then the backend; serve
// until SIGTERM or SIGINT; stop in reverse order.
#pragma once

#include "backends/backend.hpp"
#include "config/config.hpp"
#include "core/heartbeat.hpp"
#include "core/meter_state.hpp"
#include "frontends/frontend.hpp"
#include "net/http_server.hpp"
#include "net/rpc_handler_slot.hpp"
#include "net/rpc_http.hpp"
#include "net/rpc_udp.hpp"
#include "net/rpc_websocket.hpp"
#include "net/udp_server.hpp"
#include "net/websocket_server.hpp"

#include <memory>
#include <vector>

namespace meteremu {

class Daemon {
public:
    explicit Daemon(Config config);
    ~Daemon();

    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    /// Starts everything; the servers answer when this returns. Throws on failure.
    void Start();

    /// Serves until SIGTERM or SIGINT, then stops. Returns the exit status.
    int Run();

    void Stop() noexcept;

private:
    /// The sockets the servers will use: bound here from the configuration.
    struct Listeners {
        UniqueFd http;
        std::vector<UniqueFd> udp;
    };

    Listeners AcquireListeners() const;
    void StartServers(Listeners listeners);
    void StartBackend();

    Config config_;
    SteadyTime started_at_;
    Heartbeat poller_heartbeat_;
    std::unique_ptr<MeterState> state_;
    std::shared_ptr<Frontend> frontend_;
    /// What the servers call: the frontend, replaceable without touching the sockets.
    std::unique_ptr<RpcHandlerSlot> rpc_;
    std::unique_ptr<RpcWebSocket> rpc_websocket_;
    std::unique_ptr<WebSocketServer> websocket_;
    std::unique_ptr<RpcHttpHandler> rpc_http_;
    std::unique_ptr<HttpServer> http_;
    std::unique_ptr<RpcUdpHandler> rpc_udp_;
    std::unique_ptr<UdpServer> udp_;
    /// Wakes the WebSocket pushes on every new reading.
    ReadingSubscription push_subscription_;
    std::unique_ptr<Backend> backend_;
};

} // namespace meteremu
