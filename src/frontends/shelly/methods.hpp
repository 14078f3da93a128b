// SPDX-License-Identifier: MIT
// Handlers of the Shelly method table and what they share. Internal to frontends/shelly.
#pragma once

#include "frontends/shelly/components.hpp"
#include "frontends/shelly/rpc_methods.hpp"

#include <cstdint>
#include <variant>

namespace meteremu::shelly {

/// The changing sys values at the moment of the call.
SysInfo CurrentSys(const MethodContext& context);

/// params.id as an integer: -103 when missing or not an integer.
std::variant<std::int64_t, RpcError> RequiredId(const json_t* params);

/// The error a meter method answers while no reading may be served (on_stale = silent, or
/// nothing received yet): -114, which UDP answers with silence.
RpcError NoDataError(const MeterView& meter, const MeterState& state);

/// The component a generic method serves: Method::component itself for a singleton, or
/// "<component>:<params.id>" (-103 without an integer id, -105 for an id the device lacks).
std::variant<const Component*, RpcError> ResolveComponent(const MethodContext& context);

/// A boolean param, `fallback` when absent; -103 when present but not a boolean.
std::variant<bool, RpcError> OptionalBool(const json_t* params, const char* name, bool fallback);

// Shelly.* (methods_shelly.cpp)
RpcOutcome ShellyGetDeviceInfo(const MethodContext& context);
RpcOutcome ShellyGetStatus(const MethodContext& context);
RpcOutcome ShellyGetConfig(const MethodContext& context);
RpcOutcome ShellyListMethods(const MethodContext& context);
RpcOutcome ShellyGetComponents(const MethodContext& context);

// One component (methods_component.cpp)
RpcOutcome ComponentGetStatus(const MethodContext& context);
RpcOutcome ComponentGetConfig(const MethodContext& context);

// Meter extras (methods_meter.cpp)
RpcOutcome MeterGetCtTypes(const MethodContext& context);
RpcOutcome EnergyGetRecords(const MethodContext& context);
RpcOutcome EnergyGetData(const MethodContext& context);

// Odds and ends a client probes (methods_component.cpp)
RpcOutcome ScriptList(const MethodContext& context);
RpcOutcome RpcPing(const MethodContext& context);

} // namespace meteremu::shelly
