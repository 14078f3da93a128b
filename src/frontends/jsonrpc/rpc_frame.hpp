// SPDX-License-Identifier: MIT
// JSON-RPC frames as Shelly Gen2 (Mongoose OS) devices exchange them over POST /rpc, the
// WebSocket and UDP: {"id":1,"src":"caller","method":"EM.GetStatus","params":{"id":0}} in,
// {"id":1,"src":"<device>","dst":"caller","result":{...}} out. The id is echoed as the
// firmware does, kept valid JSON: an integer or a canonical digit string as a number,
// anything else as a string; "dst" is the request's
// "src" and is left out when the request had none; a request without an id is a
// notification and gets no reply. Frames without a "method" (responses, noise) are ignored.
#pragma once

#include "frontends/jsonrpc/rpc.hpp"
#include "net/request_label.hpp"
#include "util/json.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace meteremu {

struct RpcRequest {
    /// The id as it is echoed (JSON text); nullopt: a notification, not answered.
    std::optional<std::string> id;
    std::string method;
    std::optional<std::string> src;
    JsonPtr params;              ///< an object, or null without params
    bool params_invalid = false; ///< params present but not an object
};

/// The request in `text`, or nullopt when it is not a JSON object with a string "method".
std::optional<RpcRequest> ParseRequestFrame(std::string_view text);

/// {"code":N,"message":"..."}: every JSON-RPC error object this program sends is written here,
/// the bare ones of HTTP and those inside response frames.
std::string RenderRpcError(const RpcError& error);

/// {"id":..,"src":..[,"dst":..],"result":..} or with "error":{"code":..,"message":..}.
std::string RenderResponseFrame(std::string_view id, std::string_view src,
                                const std::optional<std::string>& dst, const RpcOutcome& outcome);

/// {"src":..,"dst":..,"method":..,"params":..}: no id, so clients do not answer it.
std::string RenderNotificationFrame(const RpcNotification& notification, std::string_view dst);

/// What one frame led to.
struct FrameAnswer {
    bool request = false;             ///< the frame was a request (with or without id)
    std::optional<std::string> reply; ///< the response frame; none for notifications
    std::optional<std::string> src;   ///< the caller's "src"
    bool unavailable = false;         ///< the call failed for lack of fresh data
    /// The reply is a result the handler calls reusable: the same request bytes get the same
    /// reply bytes while `epoch` stays.
    bool reusable = false;
    ReplyEpoch epoch; ///< the handler's, read before it answered
    /// The reading a result carries (RpcAnswer::sample); 0 for an error or no reading.
    std::uint64_t sample = 0;
    /// What was asked and what came of it; "other", failed, for a frame that is no request.
    RequestLabel label{kOtherMethod, RequestOutcome::Failed};
};

/// What a call of `method` that ended in `outcome` counts as (net/request_label.hpp): a
/// method the handler does not serve is "other", a lack of fresh data is "withheld".
RequestLabel LabelOf(std::string_view method, const RpcOutcome& outcome) noexcept;

/// Parses `text`, calls `handler` once, renders the reply. Hold `handler` until the reply is
/// sent (see RpcHandlerSource). A reply longer than `max_reply_bytes`
/// becomes a short error frame (kResourceExhausted) naming both sizes, or none when even that
/// is too long.
FrameAnswer AnswerFrame(RpcHandler& handler, std::string_view text,
                        std::size_t max_reply_bytes = SIZE_MAX);

} // namespace meteremu
