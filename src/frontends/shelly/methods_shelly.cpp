// SPDX-License-Identifier: MIT
// Shelly.*: the whole-device methods Home Assistant and the batteries start with.
#include "frontends/shelly/methods.hpp"
#include "frontends/shelly/render.hpp"
#include "util/json_writer.hpp"

namespace meteremu::shelly {
namespace {

struct ComponentQuery {
    std::int64_t offset = 0;
    bool status = true;
    bool config = true;
    bool dynamic_only = false;
    const json_t* keys = nullptr; ///< array of strings, or null: every component
};

RpcError InvalidArgument(const char* name, const char* expected) {
    return {rpc_code::kInvalidArgument,
            std::string("Argument '") + name + "' must be " + expected + "!"};
}

/// `include` lists what each item carries, "status" and/or "config"; absent: both.
std::optional<RpcError> ParseInclude(const json_t* include, ComponentQuery& query) {
    if (!include) return std::nullopt;
    if (!json_is_array(include)) return InvalidArgument("include", "an array");
    query.status = query.config = false;
    size_t index;
    json_t* item;
    json_array_foreach(include, index, item) {
        const char* text = json_string_value(item);
        if (!text) return InvalidArgument("include", "an array of strings");
        query.status |= std::string_view(text) == "status";
        query.config |= std::string_view(text) == "config";
    }
    return std::nullopt;
}

std::variant<ComponentQuery, RpcError> ParseComponentQuery(const json_t* params) {
    ComponentQuery query;
    const json_t* offset = params ? json_object_get(params, "offset") : nullptr;
    if (offset && (!json_is_integer(offset) || json_integer_value(offset) < 0))
        return InvalidArgument("offset", "a number of 0 or more");
    if (offset) query.offset = json_integer_value(offset);
    if (auto error = ParseInclude(params ? json_object_get(params, "include") : nullptr, query))
        return *error;
    query.keys = params ? json_object_get(params, "keys") : nullptr;
    if (query.keys && !json_is_array(query.keys)) return InvalidArgument("keys", "an array");
    auto dynamic_only = OptionalBool(params, "dynamic_only", false);
    if (auto* error = std::get_if<RpcError>(&dynamic_only)) return *error;
    query.dynamic_only = std::get<bool>(dynamic_only);
    return query;
}

bool Selected(const ComponentQuery& query, const Component& component) {
    // Every component of a Pro 3EM is built in; dynamic ones are virtual components.
    if (query.dynamic_only) return false;
    if (!query.keys) return true;
    size_t index;
    json_t* key;
    json_array_foreach(query.keys, index, key) {
        const char* text = json_string_value(key);
        if (text && component.key == text) return true;
    }
    return false;
}

void AppendItem(std::string& out, const Component& component, const ComponentQuery& query,
                const StatusInputs& inputs) {
    out += "{\"key\":";
    json::AppendString(out, component.key);
    if (query.status) {
        out += ",\"status\":";
        component.status(out, inputs, component.id);
    }
    if (query.config) {
        out += ",\"config\":";
        component.config(out, inputs.identity, component.id);
    }
    out += '}';
}

} // namespace

RpcOutcome ShellyGetDeviceInfo(const MethodContext& context) {
    auto ident = OptionalBool(context.params, "ident", false);
    if (auto* error = std::get_if<RpcError>(&ident)) return *error;
    std::string out;
    AppendDeviceInfo(out, context.identity, std::get<bool>(ident));
    return out;
}

RpcOutcome ShellyGetStatus(const MethodContext& context) {
    SysInfo sys = CurrentSys(context);
    MeterView meter = context.state.View(context.now);
    std::string out;
    out.reserve(2048);
    AppendStatusObject(out, {context.identity, sys, meter});
    return out;
}

RpcOutcome ShellyGetConfig(const MethodContext& context) {
    std::string out;
    out.reserve(2048);
    AppendConfigObject(out, context.identity);
    return out;
}

RpcOutcome ShellyListMethods(const MethodContext& context) {
    std::string out = "{\"methods\":[";
    char separator = 0;
    for (std::string_view name : MethodNames(LayoutOf(context.identity))) {
        if (separator) out += separator;
        json::AppendString(out, name);
        separator = ',';
    }
    out += "]}";
    return out;
}

/// One page holds every component: total == len(components) at offset 0, as aioshelly
/// requires to stop paging.
RpcOutcome ShellyGetComponents(const MethodContext& context) {
    auto parsed = ParseComponentQuery(context.params);
    if (auto* error = std::get_if<RpcError>(&parsed)) return *error;
    const auto& query = std::get<ComponentQuery>(parsed);
    SysInfo sys = CurrentSys(context);
    MeterView meter = context.state.View(context.now);
    StatusInputs inputs{context.identity, sys, meter};
    std::string out = "{\"components\":[";
    std::int64_t total = 0;
    for (const Component& component : Components(LayoutOf(context.identity))) {
        if (!Selected(query, component)) continue;
        if (total++ < query.offset) continue;
        if (out.back() != '[') out += ',';
        AppendItem(out, component, query, inputs);
    }
    out += "],\"cfg_rev\":";
    json::AppendInteger(out, kCfgRev);
    out += ",\"offset\":";
    json::AppendInteger(out, query.offset);
    out += ",\"total\":";
    json::AppendInteger(out, total);
    out += '}';
    return out;
}

} // namespace meteremu::shelly
