// SPDX-License-Identifier: MIT
// <Component>.GetStatus and <Component>.GetConfig for every component, and what the method
// handlers share: the id argument, the sys moment, the no-data error.
#include "frontends/shelly/methods.hpp"

#include <cmath>

namespace meteremu::shelly {

SysInfo CurrentSys(const MethodContext& context) {
    return CurrentSysInfo(context.started, context.started_wall, context.now, context.wall_now);
}

std::variant<std::int64_t, RpcError> RequiredId(const json_t* params) {
    const json_t* id = params ? json_object_get(params, "id") : nullptr;
    if (!id) return RpcError{rpc_code::kInvalidArgument, "Argument 'id' is missing"};
    if (!json_is_integer(id))
        return RpcError{rpc_code::kInvalidArgument, "Argument 'id' must be a number"};
    return static_cast<std::int64_t>(json_integer_value(id));
}

std::variant<bool, RpcError> OptionalBool(const json_t* params, const char* name, bool fallback) {
    const json_t* value = params ? json_object_get(params, name) : nullptr;
    if (!value) return fallback;
    if (!json_is_boolean(value))
        return RpcError{rpc_code::kInvalidArgument,
                        std::string("Argument '") + name + "' must be a boolean!"};
    return json_is_true(value);
}

RpcError NoDataError(const MeterView& meter, const MeterState& state) {
    if (meter.freshness == Freshness::Missing)
        return {rpc_code::kUnavailable, "No reading from the data source yet"};
    auto seconds = static_cast<long>(std::lround(state.Policy().stale_after.count()));
    return {rpc_code::kUnavailable, "No fresh reading: the data source has sent nothing for "
                                    "more than " +
                                        std::to_string(seconds) + " s"};
}

std::variant<const Component*, RpcError> ResolveComponent(const MethodContext& context) {
    Layout layout = LayoutOf(context.identity);
    if (const Component* singleton = FindComponent(layout, context.method.component))
        return singleton;
    auto id = RequiredId(context.params);
    if (auto* error = std::get_if<RpcError>(&id)) return *error;
    std::string number = std::to_string(std::get<std::int64_t>(id));
    std::string key = std::string(context.method.component) + ":" + number;
    if (const Component* instance = FindComponent(layout, key)) return instance;
    return RpcError{rpc_code::kNotFound, "Argument 'id', value " + number + " not found!"};
}

/// Meter components answer an error instead of nulls when no reading may be served:
/// a battery polling EM.GetStatus must not mistake a gap for a measurement.
RpcOutcome ComponentGetStatus(const MethodContext& context) {
    auto resolved = ResolveComponent(context);
    if (auto* error = std::get_if<RpcError>(&resolved)) return *error;
    const Component& component = *std::get<const Component*>(resolved);
    MeterView meter = context.state.View(context.now);
    if (!HasData(component.kind, meter)) return NoDataError(meter, context.state);
    // The sys moment costs a localtime_r; meter components, polled the most, skip it.
    SysInfo sys = component.kind == ComponentKind::Other ? CurrentSys(context) : SysInfo{};
    std::string out;
    out.reserve(512);
    component.status(out, {context.identity, sys, meter}, component.id);
    return out;
}

RpcOutcome ComponentGetConfig(const MethodContext& context) {
    auto resolved = ResolveComponent(context);
    if (auto* error = std::get_if<RpcError>(&resolved)) return *error;
    const Component& component = *std::get<const Component*>(resolved);
    std::string out;
    component.config(out, context.identity, component.id);
    return out;
}

/// Listed so Home Assistant finds no scripts; without Script.GetCode & co. it does not
/// treat the device as script-capable.
RpcOutcome ScriptList(const MethodContext&) {
    return std::string("{\"scripts\":[]}");
}

/// The Mongoose OS ping handler answers without a result value [?: exact bytes].
RpcOutcome RpcPing(const MethodContext&) {
    return std::string("null");
}

} // namespace meteremu::shelly
