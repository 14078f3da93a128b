// SPDX-License-Identifier: MIT
// Shelly JSON-RPC over UDP, as Marstek batteries poll it: one request frame per datagram,
// one response frame back. Under on_stale = "silent" a call that has no fresh data to give
// gets no datagram at all: the battery then falls back to its own safe behaviour, as it
// does when a real meter is unplugged.
// A battery sends the same bytes every poll, so the reply to a reusable method is kept with
// its request and the handler's epoch, and sent again without parsing or rendering until the
// epoch moves (a new reading, the reading turning stale, a reload).
//
// A request's source address can be forged, so no reply is more than kMaxReplyRatio times
// its request: a larger one becomes a short error asking for a padded request. A limit on the
// ratio holds for every sender, forged or not, and needs no state; a Marstek poll (51 bytes
// for a reply of about 500) stays well under it. The reusable replies (the readings and
// identity batteries poll) go out as priority replies (net/reply_byte_budget.hpp).
#pragma once

#include "frontends/jsonrpc/rpc.hpp"
#include "net/reply_cache.hpp"
#include "net/udp_server.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

namespace meteremu {

class RpcUdpHandler final : public DatagramHandler {
public:
    /// Each datagram is answered by `rpc.CurrentRpcHandler()`, asked once per datagram.
    explicit RpcUdpHandler(RpcHandlerSource& rpc) : rpc_(rpc) {}

    DatagramAnswer Handle(std::string_view datagram) noexcept override;

    /// How many different requests are remembered (batteries on one site: a few).
    static constexpr std::size_t kRemembered = 8;
    /// The largest reply to a request of n bytes is kMaxReplyRatio * n bytes.
    static constexpr std::size_t kMaxReplyRatio = 20;

private:
    struct KeptReply {
        std::string bytes;
        std::uint64_t sample = 0; ///< RpcAnswer::sample: the same while the epoch stays
        RequestLabel label{};
    };

    RpcHandlerSource& rpc_;
    ReplyCache<KeptReply, kRemembered> remembered_; ///< reply datagrams by request bytes
    std::string reply_;                             ///< the last reply not remembered
};

} // namespace meteremu
