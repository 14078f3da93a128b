// SPDX-License-Identifier: MIT
#include "frontends/jsonrpc/rpc_frame.hpp"

#include "util/json_writer.hpp"

#include <algorithm>
#include <string>

namespace meteremu {
namespace {

/// The largest magnitude a JSON number keeps exactly when a client reads it as a double
/// (2^53 - 1): a larger integer id might come back to it as another number.
constexpr json_int_t kMaxExactInteger = (json_int_t{1} << 53) - 1;

/// A canonical decimal integer: "0", or digits without a leading zero, small enough that a
/// client reading JSON numbers as doubles gets it back exactly.
bool CanonicalInteger(std::string_view text) {
    constexpr size_t kMaxDigits = 15; // every 15-digit integer is below 2^53
    if (text.empty() || text.size() > kMaxDigits) return false;
    if (text.size() > 1 && text.front() == '0') return false;
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// The id as it goes back: an integer as the same bare number (the form Home Assistant and
/// the batteries send and match); a string of a canonical integer bare as well, as Mongoose OS
/// prints an all-digit id (docs/protocols/shelly-pro3em.md#json-rpc-frames); anything else
/// as a JSON string, so that every reply is valid JSON ("007" stays "007").
std::optional<std::string> EchoedId(const json_t* id) {
    std::string text;
    if (json_is_integer(id)) {
        json_int_t value = json_integer_value(id);
        if (value >= -kMaxExactInteger && value <= kMaxExactInteger) return std::to_string(value);
        text = std::to_string(value);
    } else if (json_is_string(id)) {
        text.assign(json_string_value(id), json_string_length(id));
        if (CanonicalInteger(text)) return text;
    } else if (json_is_number(id)) {
        text = JsonText(json_dumps(id, JSON_ENCODE_ANY)).get();
    } else {
        return std::nullopt; // absent, null, true, objects: no id to answer to
    }
    std::string quoted;
    json::AppendString(quoted, text);
    return quoted;
}

} // namespace

std::string RenderRpcError(const RpcError& error) {
    std::string out = "{\"code\":";
    json::AppendInteger(out, error.code);
    out += ",\"message\":";
    json::AppendString(out, error.message);
    out += '}';
    return out;
}

std::optional<RpcRequest> ParseRequestFrame(std::string_view text) {
    json_error_t error;
    JsonPtr root(json_loadb(text.data(), text.size(), 0, &error));
    const json_t* method = json_object_get(root.get(), "method");
    if (!json_is_string(method)) return std::nullopt;
    RpcRequest request;
    request.method.assign(json_string_value(method), json_string_length(method));
    request.id = EchoedId(json_object_get(root.get(), "id"));
    const json_t* src = json_object_get(root.get(), "src");
    if (json_is_string(src)) request.src.emplace(json_string_value(src), json_string_length(src));
    json_t* params = json_object_get(root.get(), "params");
    if (json_is_object(params))
        request.params.reset(json_incref(params));
    else
        request.params_invalid = params != nullptr && !json_is_null(params);
    return request;
}

std::string RenderResponseFrame(std::string_view id, std::string_view src,
                                const std::optional<std::string>& dst, const RpcOutcome& outcome) {
    std::string out = "{\"id\":";
    out += id;
    out += ",\"src\":";
    json::AppendString(out, src);
    if (dst) {
        out += ",\"dst\":";
        json::AppendString(out, *dst);
    }
    if (const auto* result = std::get_if<std::string>(&outcome)) {
        out += ",\"result\":";
        out += *result;
    } else {
        out += ",\"error\":";
        out += RenderRpcError(std::get<RpcError>(outcome));
    }
    out += '}';
    return out;
}

std::string RenderNotificationFrame(const RpcNotification& notification, std::string_view dst) {
    std::string out = "{\"src\":";
    json::AppendString(out, notification.src);
    out += ",\"dst\":";
    json::AppendString(out, dst);
    out += ",\"method\":";
    json::AppendString(out, notification.method);
    out += ",\"params\":";
    out += notification.params;
    out += '}';
    return out;
}

namespace {

/// Replaces the reply of `answer`, longer than `max_reply_bytes`, by an error that fits.
void RefuseOversized(FrameAnswer& answer, const RpcRequest& request, std::string_view src,
                     std::size_t max_reply_bytes) {
    std::string message = "Reply of " + std::to_string(answer.reply->size()) +
                          " bytes is more than this request may have (" +
                          std::to_string(max_reply_bytes) + "): pad the request";
    answer.reply = RenderResponseFrame(*request.id, src, request.src,
                                       RpcError{rpc_code::kResourceExhausted, message});
    if (answer.reply->size() > max_reply_bytes) answer.reply.reset();
    answer.reusable = false;
    answer.sample = 0;
    answer.label.outcome = RequestOutcome::Failed;
}

} // namespace

RequestLabel LabelOf(std::string_view method, const RpcOutcome& outcome) noexcept {
    const auto* error = std::get_if<RpcError>(&outcome);
    if (!error) return {MethodIdOf(method), RequestOutcome::Answered};
    if (error->code == rpc_code::kNoHandler) return {kOtherMethod, RequestOutcome::Failed};
    return {MethodIdOf(method), error->code == rpc_code::kUnavailable ? RequestOutcome::Withheld
                                                                      : RequestOutcome::Failed};
}

FrameAnswer AnswerFrame(RpcHandler& handler, std::string_view text, std::size_t max_reply_bytes) {
    FrameAnswer answer;
    std::optional<RpcRequest> request = ParseRequestFrame(text);
    if (!request) return answer;
    answer.request = true;
    answer.src = request->src;
    RpcAnswer call =
        request->params_invalid
            ? RpcAnswer{RpcError{rpc_code::kInvalidArgument, "Params must be a JSON object"},
                        handler.SourceId(),
                        {},
                        false}
            : handler.Call({request->method, request->params.get()});
    const auto* error = std::get_if<RpcError>(&call.outcome);
    answer.unavailable = error && error->code == rpc_code::kUnavailable;
    answer.reusable = request->id && !error && call.reusable;
    answer.epoch = call.epoch;
    answer.sample = error ? 0 : call.sample;
    // Params refused before the handler looked the method up: the name is the client's word.
    answer.label = request->params_invalid ? RequestLabel{kOtherMethod, RequestOutcome::Failed}
                                           : LabelOf(request->method, call.outcome);
    if (!request->id) return answer;
    answer.reply = RenderResponseFrame(*request->id, call.src, request->src, call.outcome);
    if (answer.reply->size() > max_reply_bytes)
        RefuseOversized(answer, *request, call.src, max_reply_bytes);
    return answer;
}

} // namespace meteremu
