// SPDX-License-Identifier: MIT
// JSON-RPC over the WebSocket on /rpc, as Home Assistant (aioshelly) speaks it with a Shelly
// Gen2 device: every text message is one request frame and gets the response frame. A client
// that has sent a request with a "src" receives notifications from then on (NotifyStatus after
// each new reading), addressed to that src; pushes carry only fresh data, and under
// on_stale = "silent" requests for the meter answer an RPC error.
#pragma once

#include "net/rpc.hpp"
#include "net/websocket_server.hpp"

#include <memory>
#include <optional>

namespace meteremu {

class RpcWebSocket final : public WebSocketApp {
public:
    explicit RpcWebSocket(RpcHandler& rpc) : rpc_(rpc) {}

    std::unique_ptr<WebSocketSession> Open() override;
    void PreparePush() noexcept override;

private:
    class Session;

    RpcHandler& rpc_;
    std::optional<RpcNotification> notification_; ///< of the push under way; server thread only
};

} // namespace meteremu
