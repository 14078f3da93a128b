// SPDX-License-Identifier: MIT
#include "frontends/shelly/rpc_methods.hpp"

#include "frontends/shelly/render.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <strings.h>

namespace meteremu::shelly {
namespace {

SysInfo Sys(const MethodContext& context) {
    return CurrentSysInfo(context.started, context.started_wall, context.now, context.wall_now);
}

/// EM and EMData have one instance, id 0; clients always send ?id=0.
std::optional<RpcError> CheckComponentId(const json_t* params) {
    const json_t* id = params ? json_object_get(params, "id") : nullptr;
    if (!id) return RpcError{rpc_code::kInvalidArgument, "Argument 'id' is missing"};
    if (!json_is_integer(id))
        return RpcError{rpc_code::kInvalidArgument, "Argument 'id' must be a number"};
    if (json_integer_value(id) != 0)
        return RpcError{rpc_code::kNotFound, "Argument 'id', value " +
                                                 std::to_string(json_integer_value(id)) +
                                                 " not found!"};
    return std::nullopt;
}

RpcError Unavailable(const MeterView& view, const MeterState& state) {
    if (view.freshness == Freshness::Missing)
        return {rpc_code::kUnavailable, "No reading from the data source yet"};
    auto seconds = static_cast<long>(std::lround(state.Policy().stale_after.count()));
    return {rpc_code::kUnavailable, "No fresh reading: the data source has sent nothing for "
                                    "more than " +
                                        std::to_string(seconds) + " s"};
}

RpcOutcome GetDeviceInfo(const MethodContext& context) {
    std::string out;
    AppendDeviceInfo(out, context.identity);
    return out;
}

RpcOutcome GetStatus(const MethodContext& context) {
    auto view = context.state.View(context.now);
    std::string out;
    out.reserve(1536);
    AppendStatus(out, context.identity, Sys(context), view.reading.get(),
                 view.freshness != Freshness::Missing);
    return out;
}

RpcOutcome EmGetStatus(const MethodContext& context) {
    if (auto error = CheckComponentId(context.params)) return *error;
    auto view = context.state.View(context.now);
    if (!view.reading) return Unavailable(view, context.state);
    std::string out;
    out.reserve(512);
    AppendEmStatus(out, *view.reading);
    return out;
}

RpcOutcome EmDataGetStatus(const MethodContext& context) {
    if (auto error = CheckComponentId(context.params)) return *error;
    auto view = context.state.View(context.now);
    // Energy counters are never invented: under on_stale = zero with no reading yet, the
    // powers read zero but there is no counter value to give.
    if (!view.reading || view.freshness == Freshness::Missing)
        return Unavailable(view, context.state);
    std::string out;
    out.reserve(320);
    AppendEmDataStatus(out, *view.reading);
    return out;
}

constexpr Method kMethods[] = {
    {"Shelly.GetDeviceInfo", GetDeviceInfo},
    {"Shelly.GetStatus", GetStatus},
    {"EM.GetStatus", EmGetStatus},
    {"EMData.GetStatus", EmDataGetStatus},
};

} // namespace

const Method* FindMethod(std::string_view name) noexcept {
    auto found = std::find_if(std::begin(kMethods), std::end(kMethods), [name](const Method& m) {
        return m.name.size() == name.size() &&
               strncasecmp(m.name.data(), name.data(), name.size()) == 0;
    });
    return found == std::end(kMethods) ? nullptr : found;
}

std::span<const Method> Methods() noexcept {
    return kMethods;
}

} // namespace meteremu::shelly
