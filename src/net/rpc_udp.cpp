// SPDX-License-Identifier: MIT
#include "net/rpc_udp.hpp"

#include "net/rpc_frame.hpp"

namespace meteremu {

std::optional<DatagramReply> RpcUdpHandler::Handle(std::string_view datagram) noexcept try {
    // The epoch is read before the answer is made: a reading published in between makes the
    // kept reply look older than it is (one extra rendering), never newer.
    ReplyEpoch epoch = rpc_.Epoch();
    if (epoch.Valid())
        for (const Remembered& known : remembered_)
            if (known.epoch == epoch && known.request == datagram)
                return DatagramReply{known.reply, true};
    FrameAnswer answer = AnswerFrame(rpc_, datagram, kMaxReplyRatio * datagram.size());
    if (answer.unavailable || !answer.reply) return std::nullopt;
    if (epoch.Valid() && answer.reusable)
        return DatagramReply{Remember(datagram, epoch, *answer.reply), true};
    reply_ = std::move(*answer.reply);
    return DatagramReply{reply_, answer.reusable};
} catch (...) {
    return std::nullopt; // out of memory: a lost datagram, as on a busy network
}

/// Keeps `reply` in the slot of the same request if there is one, else in the next slot
/// round robin. Copies into the slot's strings, which reuse their capacity.
std::string_view RpcUdpHandler::Remember(std::string_view request, ReplyEpoch epoch,
                                         std::string& reply) {
    Remembered* slot = nullptr;
    for (Remembered& known : remembered_)
        if (known.request == request) slot = &known;
    if (!slot) {
        slot = &remembered_[next_];
        next_ = (next_ + 1) % remembered_.size();
        slot->request.assign(request);
    }
    slot->epoch = epoch;
    slot->reply.assign(reply);
    return slot->reply;
}

} // namespace meteremu
