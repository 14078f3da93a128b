// SPDX-License-Identifier: MIT
// The Shelly Gen2 JSON-RPC dialect as its transport adapters see it (this folder: frames,
// error objects, the HTTP status mapping, UDP and WebSocket): a method name and its params in,
// a rendered result or an error out. The adapters only frame and unframe; which methods exist,
// and the bytes of each result, belong to the frontend behind RpcHandler.
#pragma once

#include "net/reply_epoch.hpp"

#include <jansson.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace meteremu {

/// JSON-RPC error codes the adapters need to map (e.g. onto HTTP statuses).
namespace rpc_code {
inline constexpr int kInvalidArgument = -103;
inline constexpr int kNotFound = -105;
/// The reply is larger than the transport may send for this request (UDP: rpc_udp.hpp).
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

/// Everything one call yields, from one call: the handler reads its epoch, answers, and names
/// itself, so that no reload between two calls can mix two devices' parts into one reply.
struct RpcAnswer {
    RpcOutcome outcome;
    /// The device that answered: the "src" of the response frame. Points into the handler, so
    /// it is valid for as long as the caller holds the handler
    /// (RpcHandlerSource::CurrentRpcHandler).
    std::string_view src;
    /// Read before the answer was made: a reading published meanwhile can only make a kept
    /// reply look older than it is. Invalid: nothing may be reused.
    ReplyEpoch epoch;
    /// The result depends on nothing but the params and `epoch` (not on the clock, say), so a
    /// transport may serve the bytes it framed from it again while the epoch stays.
    bool reusable = false;
    /// The reading the result carries (MeterStamp::sample, read with `epoch`), for methods
    /// whose result carries the grid power; 0: none. Transports serve each client a sample
    /// once under their sample gate (core/sample_gate.hpp), which this number feeds.
    std::uint64_t sample = 0;
};

/// A message pushed to clients unasked: a JSON-RPC notification (no id).
struct RpcNotification {
    std::string_view src; ///< as RpcAnswer::src
    std::string method;   ///< e.g. "NotifyStatus"
    std::string params;   ///< the params object, rendered
};

class RpcHandler;

/// Who answers the next request. A transport adapter asks once per request and holds what it
/// gets until the reply is framed and sent, so that one device answers the whole request even
/// when a reload installs another meanwhile (daemon/frontend_slot.hpp).
class RpcHandlerSource {
public:
    virtual ~RpcHandlerSource() = default;
    /// Never null where a JSON-RPC transport is built (the daemon builds them only for a
    /// device that speaks JSON-RPC). Cheap: a reference count at most, no allocation.
    virtual std::shared_ptr<RpcHandler> CurrentRpcHandler() noexcept = 0;
};

/// A frontend as the JSON-RPC adapters call it. It is its own source: it answers every
/// request itself and outlives the adapters that use it.
class RpcHandler : public RpcHandlerSource {
public:
    /// Answers one call; never throws (errors become RpcError). Called from server threads.
    virtual RpcAnswer Call(const RpcCall& call) noexcept = 0;

    /// Identity used as "src" of the frames this handler sends (RpcAnswer::src is the same).
    virtual std::string_view SourceId() const noexcept = 0;

    /// The epoch now (see RpcAnswer::epoch), for looking up a kept reply before calling.
    /// Invalid (the default): nothing may be reused.
    virtual ReplyEpoch Epoch() noexcept { return {}; }

    /// What to push to subscribed clients after a new reading was published; nullopt when
    /// there is nothing to push (no fresh reading, or none newer than the last pushed).
    /// Called from one thread (the push thread); never blocks.
    virtual std::optional<RpcNotification> ReadingNotification() noexcept { return std::nullopt; }

    /// This handler, not owned: it outlives the adapters.
    std::shared_ptr<RpcHandler> CurrentRpcHandler() noexcept override {
        return std::shared_ptr<RpcHandler>(std::shared_ptr<void>(), this);
    }
};

} // namespace meteremu
