// SPDX-License-Identifier: MIT
#include "frontends/jsonrpc/rpc_http.hpp"

#include "net/websocket_server.hpp"
#include "util/json_writer.hpp"

namespace meteremu {
namespace {

constexpr std::string_view kRpcPrefix = "/rpc/";
constexpr std::string_view kRpcFramePath = "/rpc";

json_t* QueryValue(std::string_view text) {
    json_error_t error;
    json_t* value = json_loadb(text.data(), text.size(), JSON_DECODE_ANY, &error);
    return value ? value : json_stringn(text.data(), text.size());
}

/// What is left to say when answering failed (out of memory): perhaps not even the body.
HttpResponse InternalError() noexcept {
    HttpResponse response{500, {}, "application/json", {}};
    response.label = {kOtherMethod, RequestOutcome::Failed};
    try {
        response.body = RenderRpcError({500, "Internal error"});
    } catch (...) {
        // Without the body.
    }
    return response;
}

} // namespace

unsigned HttpStatusForRpcError(int code) noexcept {
    switch (code) {
    case 404:
        return 404;
    case 401:
        return 401;
    case 403:
        return 403;
    case rpc_code::kInvalidArgument:
    case rpc_code::kNotFound:
        return 400;
    case rpc_code::kUnavailable:
        return 503;
    default:
        return 500;
    }
}

JsonPtr ParamsFromQuery(const std::vector<std::pair<std::string_view, std::string_view>>& query) {
    if (query.empty()) return nullptr;
    JsonPtr params(json_object());
    for (const auto& [key, value] : query)
        json_object_setn_new(params.get(), key.data(), key.size(), QueryValue(value));
    return params;
}

HttpResponse RpcHttpHandler::Reply(unsigned status, std::string body, bool no_cache) const {
    HttpResponse response{status, std::move(body), "application/json", {}};
    if (no_cache) response.headers.emplace_back("Pragma", "no-cache");
    response.headers.emplace_back("Server", server_name_);
    return response;
}

HttpResponse RpcHttpHandler::ReplyError(unsigned status, const RpcError& error) const {
    HttpResponse response = Reply(status, RenderRpcError(error));
    response.label = {kOtherMethod, RequestOutcome::Failed};
    return response;
}

HttpResponse RpcHttpHandler::Refuse(const HttpRefusal& refusal) const {
    return {refusal.status,
            RenderRpcError({static_cast<int>(refusal.status), std::string(refusal.reason)}),
            "application/json",
            {}};
}

HttpResponse RpcHttpHandler::CallMethod(std::string_view method, const json_t* params,
                                        bool no_cache) const {
    RpcAnswer answer = rpc_.Call({method, params});
    RequestLabel label = LabelOf(method, answer.outcome);
    if (auto* result = std::get_if<std::string>(&answer.outcome)) {
        HttpResponse response = Reply(200, std::move(*result), no_cache);
        response.reusable = answer.reusable;
        response.sample = answer.sample;
        response.label = label;
        return response;
    }
    const auto& error = std::get<RpcError>(answer.outcome);
    HttpResponse response =
        Reply(HttpStatusForRpcError(error.code), RenderRpcError(error), no_cache);
    response.label = label;
    return response;
}

/// POST /rpc carries a whole request frame and gets the whole response frame, errors
/// included, with HTTP 200 (as the Mongoose OS channel does); a notification gets an empty
/// body.
HttpResponse RpcHttpHandler::AnswerFramePost(const HttpRequest& request) const {
    FrameAnswer answer = AnswerFrame(rpc_, request.body);
    if (!answer.request)
        return ReplyError(
            400, {rpc_code::kInvalidArgument, "Expected a JSON-RPC request frame with a method"});
    HttpResponse response = Reply(200, answer.reply.value_or(std::string()));
    response.sample = answer.reply ? answer.sample : 0;
    response.label = answer.label;
    return response;
}

/// /rpc itself: a whole frame by POST, or the WebSocket (whose 101 also names the server).
HttpResponse RpcHttpHandler::RpcPath(const HttpRequest& request) const {
    if (request.method == "POST") return AnswerFramePost(request);
    if (websocket_ && IsWebSocketUpgrade(request)) {
        HttpResponse response = WebSocketHandshake(request, *websocket_, *this);
        response.headers.emplace_back("Server", server_name_);
        response.label = {MethodIdOf(kRpcFramePath),
                          response.upgrade ? RequestOutcome::Answered : RequestOutcome::Failed};
        return response;
    }
    return ReplyError(400, {rpc_code::kInvalidArgument,
                            "Expected a WebSocket upgrade, or a POST with a JSON-RPC request "
                            "frame"});
}

HttpResponse RpcHttpHandler::Handle(const HttpRequest& request) noexcept try {
    for (const HttpAlias& alias : aliases_)
        if (request.path == alias.path) return CallMethod(alias.method, nullptr, alias.no_cache);
    if (request.path == kRpcFramePath) return RpcPath(request);
    if (!request.path.starts_with(kRpcPrefix) || request.path.size() == kRpcPrefix.size())
        return ReplyError(404, {404, "Not Found"});
    std::string_view method = request.path.substr(kRpcPrefix.size());
    if (request.method == "POST") {
        json_error_t error;
        JsonPtr params(request.body.empty()
                           ? nullptr
                           : json_loadb(request.body.data(), request.body.size(), 0, &error));
        if (!request.body.empty() && !json_is_object(params.get()))
            return ReplyError(400, {rpc_code::kInvalidArgument, "Params must be a JSON object"});
        return CallMethod(method, params.get(), false);
    }
    if (request.method != "GET" && request.method != "HEAD")
        return ReplyError(405, {405, "Method Not Allowed"});
    JsonPtr params = ParamsFromQuery(request.query);
    return CallMethod(method, params.get(), false);
} catch (...) {
    return InternalError();
}

} // namespace meteremu
