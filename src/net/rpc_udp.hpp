// SPDX-License-Identifier: MIT
// Shelly JSON-RPC over UDP, as Marstek batteries poll it: one request frame per datagram,
// one response frame back. Under on_stale = "silent" a call that has no fresh data to give
// gets no datagram at all: the battery then falls back to its own safe behaviour, as it
// does when a real meter is unplugged.
#pragma once

#include "net/rpc.hpp"
#include "net/udp_server.hpp"

namespace meteremu {

class RpcUdpHandler final : public DatagramHandler {
public:
    explicit RpcUdpHandler(RpcHandler& rpc) : rpc_(rpc) {}

    std::optional<std::string> Handle(std::string_view datagram) noexcept override;

private:
    RpcHandler& rpc_;
};

} // namespace meteremu
