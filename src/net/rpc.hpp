// SPDX-License-Identifier: MIT
// JSON-RPC as the transports see it: a method name and its params in, a rendered result or
// an error out. Transports (HTTP, WebSocket, UDP) only frame and unframe; which methods
// exist, and the bytes of each result, belong to the frontend behind RpcHandler.
#pragma once

#include "net/reply_epoch.hpp"

#include <jansson.h>

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace meteremu {

/// JSON-RPC error codes the transports need to map (e.g. onto HTTP statuses).
namespace rpc_code {
inline constexpr int kInvalidArgument = -103;
inline constexpr int kNotFound = -105;
/// The reply is larger than the transport may send for this request (UDP: net/rpc_udp.hpp).
inline constexpr int kResourceExhausted = -108;
/// No reading may be served now (on_stale = silent, or none yet). UDP answers it with
/// silence, so a battery falls back to its own safe behaviour.
inline constexpr int kUnavailable = -114;
inline constexpr int kNoHandler = 404;
} // namespace rpc_code

struct RpcError {
    int code = 0;
    std::string message;
};

/// The result object, already rendered as JSON bytes, or an error.
using RpcOutcome = std::variant<std::string, RpcError>;

struct RpcCall {
    std::string_view method;
    /// A JSON object, or null when the request had no params.
    const json_t* params = nullptr;
};

/// A message pushed to clients unasked: a JSON-RPC notification (no id).
struct RpcNotification {
    std::string method; ///< e.g. "NotifyStatus"
    std::string params; ///< the params object, rendered
};

class RpcHandler {
public:
    virtual ~RpcHandler() = default;

    /// Answers one call; never throws (errors become RpcError). Called from server threads.
    virtual RpcOutcome Call(const RpcCall& call) noexcept = 0;

    /// Identity used as "src" of response frames.
    virtual std::string_view SourceId() const noexcept = 0;

    /// The epoch now: while it stays the same, a reusable method's result for the same params
    /// stays the same too. Invalid (the default): nothing may be reused.
    virtual ReplyEpoch Epoch() noexcept { return {}; }

    /// Whether the result of `method` depends on nothing but its params and the epoch (not on
    /// the clock, say), so that a transport may serve the bytes it framed from it again.
    virtual bool Reusable(std::string_view /*method*/) const noexcept { return false; }

    /// What to push to subscribed clients after a new reading was published; nullopt when
    /// there is nothing to push (no fresh reading, or none newer than the last pushed).
    /// Called from one thread (the push thread); never blocks.
    virtual std::optional<RpcNotification> ReadingNotification() noexcept { return std::nullopt; }
};

} // namespace meteremu
