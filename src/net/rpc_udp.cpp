// SPDX-License-Identifier: MIT
#include "net/rpc_udp.hpp"

#include "net/rpc_frame.hpp"

namespace meteremu {

std::optional<std::string> RpcUdpHandler::Handle(std::string_view datagram) noexcept try {
    FrameAnswer answer = AnswerFrame(rpc_, datagram);
    if (answer.unavailable) return std::nullopt;
    return std::move(answer.reply);
} catch (...) {
    return std::nullopt; // out of memory: a lost datagram, as on a busy network
}

} // namespace meteremu
