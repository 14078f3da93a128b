// SPDX-License-Identifier: MIT
#include "frontends/jsonrpc/rpc_udp.hpp"

#include "frontends/jsonrpc/rpc_frame.hpp"

namespace meteremu {

DatagramAnswer RpcUdpHandler::Handle(std::string_view datagram) noexcept try {
    std::shared_ptr<RpcHandler> handler = rpc_.CurrentRpcHandler(); // answers all of it
    // The epoch is read before the answer is made: a reading published in between makes the
    // kept reply look older than it is (one extra rendering), never newer.
    if (const KeptReply* kept = remembered_.Find(datagram, handler->Epoch()))
        return {DatagramReply{kept->bytes, true, kept->sample}, kept->label};
    FrameAnswer answer = AnswerFrame(*handler, datagram, kMaxReplyRatio * datagram.size());
    // Under on_stale = "silent" a UDP poll gets silence, so the battery falls back.
    if (answer.unavailable || !answer.reply) return {std::nullopt, answer.label};
    if (answer.epoch.Valid() && answer.reusable) {
        const KeptReply& kept = remembered_.Keep(datagram, answer.epoch, [&](KeptReply& slot) {
            slot.bytes.assign(*answer.reply);
            slot.sample = answer.sample;
            slot.label = answer.label;
        });
        return {DatagramReply{kept.bytes, true, kept.sample}, kept.label};
    }
    reply_ = std::move(*answer.reply);
    return {DatagramReply{reply_, answer.reusable, answer.sample}, answer.label};
} catch (...) {
    // Out of memory: a lost datagram, as on a busy network.
    return {std::nullopt, {kOtherMethod, RequestOutcome::Failed}};
}

} // namespace meteremu
