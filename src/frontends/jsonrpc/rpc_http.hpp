// SPDX-License-Identifier: MIT
// JSON-RPC over plain HTTP, as Shelly Gen2 (Mongoose OS) devices speak it:
//   GET  /rpc/<Method>?k=v   query values typed as JSON: ?id=0 → {"id":0}
//   POST /rpc/<Method>       body = params object
//   POST /rpc                body = a whole request frame, reply = the response frame
//   GET  /rpc + Upgrade      a WebSocket carrying request and response frames
// The reply body is the bare result object, or the bare error object with an HTTP status
// derived from the error code. Fixed paths (aliases) answer like a method.
#pragma once

#include "frontends/jsonrpc/rpc.hpp"
#include "frontends/jsonrpc/rpc_frame.hpp"
#include "net/http_server.hpp"
#include "util/json.hpp"

#include <string>
#include <vector>

namespace meteremu {

/// A fixed HTTP path that answers like an RPC method, e.g. GET /shelly.
struct HttpAlias {
    std::string_view path;
    std::string_view method;
    bool no_cache = false; ///< add "Pragma: no-cache"
};

class RpcHttpHandler final : public HttpHandler {
public:
    /// `server_name` is sent as the Server header of every reply. With `websocket`, a
    /// WebSocket upgrade of GET /rpc hands the connection to it.
    RpcHttpHandler(RpcHandler& rpc, std::string server_name, std::vector<HttpAlias> aliases,
                   HttpUpgradeHandler* websocket = nullptr)
        : rpc_(rpc), server_name_(std::move(server_name)), aliases_(std::move(aliases)),
          websocket_(websocket) {}

    HttpResponse Handle(const HttpRequest& request) noexcept override;
    ReplyEpoch Epoch() noexcept override { return rpc_.Epoch(); }
    /// The bare error object {"code":<status>,"message":<reason>}, as the device's HTTP
    /// channel sends its own refusals.
    HttpResponse Refuse(const HttpRefusal& refusal) const override;

private:
    HttpResponse Reply(unsigned status, std::string body, bool no_cache = false) const;
    HttpResponse ReplyError(unsigned status, const RpcError& error) const;
    HttpResponse CallMethod(std::string_view method, const json_t* params, bool no_cache) const;
    HttpResponse AnswerFramePost(const HttpRequest& request) const;

    HttpResponse RpcPath(const HttpRequest& request) const;

    RpcHandler& rpc_;
    std::string server_name_;
    std::vector<HttpAlias> aliases_;
    HttpUpgradeHandler* websocket_;
};

/// 404 → 404, 401 → 401, 403 → 403, invalid argument / not found → 400, unavailable → 503,
/// anything else → 500 (as the Mongoose OS HTTP channel does, plus 400 and 503 of newer fw).
unsigned HttpStatusForRpcError(int code) noexcept;

/// Query arguments as a params object: each value becomes the JSON it spells (numbers,
/// true/false/null, quoted strings, objects, arrays), or a string when it is not JSON.
JsonPtr ParamsFromQuery(const std::vector<std::pair<std::string_view, std::string_view>>& query);

} // namespace meteremu
