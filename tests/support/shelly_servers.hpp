// SPDX-License-Identifier: MIT
// The Shelly frontend behind a real libmicrohttpd server on an ephemeral loopback port, with
// the WebSocket upgrade on /rpc: the transport stack the daemon builds, for the tests of the
// HTTP and WebSocket servers and their limits.
#pragma once

#include "frontends/jsonrpc/rpc_http.hpp"
#include "frontends/jsonrpc/rpc_websocket.hpp"
#include "support/shelly.hpp"

#include <memory>

namespace meteremu::test {

struct ShellyServers {
    ShellyServers(OnStale mode, const WebSocketLimits& websocket_limits = {},
                  const HttpLimits& http_limits = {}, const ClientFilter* filter = nullptr) {
        ShellyUnderTest shelly = MakeShelly(mode, {0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f});
        state = std::move(shelly.state);
        frontend = std::move(shelly.frontend);
        app = std::make_unique<RpcWebSocket>(*frontend);
        websocket = std::make_unique<WebSocketServer>(*app, websocket_limits);
        handler = std::make_unique<RpcHttpHandler>(*frontend, "ShellyHTTP/1.0.0",
                                                   frontend->HttpAliases(), websocket.get());
        http = std::make_unique<HttpServer>(BindSocket(SocketKind::Stream, "127.0.0.1", 0),
                                            *handler, http_limits, nullptr, filter);
    }

    ShellyServers(const ShellyServers&) = delete;
    ShellyServers& operator=(const ShellyServers&) = delete;

    /// The WebSocket clients go first, then HTTP: no upgrade arrives at a stopped server.
    ~ShellyServers() {
        websocket->Stop();
        http.reset();
    }

    std::uint16_t Port() const { return http->Port(); }

    std::unique_ptr<MeterState> state;
    std::unique_ptr<Frontend> frontend;
    std::unique_ptr<RpcWebSocket> app;
    std::unique_ptr<WebSocketServer> websocket;
    std::unique_ptr<RpcHttpHandler> handler;
    std::unique_ptr<HttpServer> http;
};

} // namespace meteremu::test
