// SPDX-License-Identifier: MIT
// The RPC methods of the emulated Shellys: name → handler, per layout (the Pro 3EM's two
// profiles, the two-channel EM1 meters). Method names match
// without regard to case, as on a real device (GET /rpc/shelly.getstatus works there).
// Handlers live beside the component they serve (methods_*.cpp); the table in
// rpc_methods.cpp lists them in the order the real firmware's Shelly.ListMethods does.
#pragma once

#include "core/meter_state.hpp"
#include "frontends/jsonrpc/rpc.hpp"
#include "frontends/shelly/identity.hpp"

#include <string_view>
#include <vector>

namespace meteremu::shelly {

struct Method;

/// Everything a method may read to answer one call.
struct MethodContext {
    const Identity& identity;
    const MeterState& state;
    SteadyTime started;
    WallTime started_wall;
    SteadyTime now;
    WallTime wall_now;
    const json_t* params; ///< object or null
    const Method& method;
};

/// Which layouts have a method: one bit per Layout.
enum LayoutMask : unsigned {
    kTriphaseOnly = 1,
    kMonophaseOnly = 2,
    kEm1Pair = 4,
    kEm1PairGen3 = 8,
    kEveryProfile = 3, ///< the Pro 3EM in either profile
    kEveryLayout = 15,
};

struct Method {
    std::string_view name;
    RpcOutcome (*handler)(const MethodContext& context);
    unsigned layouts = kEveryLayout;
    /// For the generic component handlers: "wifi" (a singleton) or "em1" (instances,
    /// chosen by params.id).
    std::string_view component = {};
    /// The result depends on the identity, the params and the reading alone (not on the
    /// clock): transports may serve it again until the next reading (net/reply_epoch.hpp).
    bool per_reading = false;
    /// The result carries the grid power (EM, EM1, Shelly.GetStatus): a client is served each
    /// sample once, under the transports' sample gate (core/sample_gate.hpp).
    bool carries_sample = false;
};

/// The method called `name` in any letter case that `layout` has, or null.
const Method* FindMethod(Layout layout, std::string_view name) noexcept;

/// The names Shelly.ListMethods reports for `layout`, in the firmware's order.
std::vector<std::string_view> MethodNames(Layout layout);

} // namespace meteremu::shelly
