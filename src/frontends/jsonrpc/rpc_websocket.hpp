// SPDX-License-Identifier: MIT
// JSON-RPC over the WebSocket on /rpc, as Home Assistant (aioshelly) speaks it with a Shelly
// Gen2 device: every text message is one request frame and gets the response frame. A client
// that has sent a request with a "src" receives notifications from then on (NotifyStatus after
// each new reading), addressed to that src; pushes carry only fresh data, and under
// on_stale = "silent" requests for the meter answer an RPC error.
#pragma once

#include "frontends/jsonrpc/rpc.hpp"
#include "net/websocket_server.hpp"

#include <memory>
#include <optional>

namespace meteremu {

class RpcWebSocket final : public WebSocketApp {
public:
    /// Each message is answered by `rpc.CurrentRpcHandler()`, asked once per message; a push is
    /// made and sent by the one handler asked once per push.
    explicit RpcWebSocket(RpcHandlerSource& rpc) : rpc_(rpc) {}

    std::unique_ptr<WebSocketSession> Open() override;
    void PreparePush() noexcept override;

private:
    class Session;

    RpcHandlerSource& rpc_;
    // The push under way; server thread only. The handler is held while its src is in use.
    std::shared_ptr<RpcHandler> pushing_;
    std::optional<RpcNotification> notification_;
};

} // namespace meteremu
