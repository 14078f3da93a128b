// SPDX-License-Identifier: MIT
// The RPC methods of a Shelly Pro 3EM: name → handler. Method names match without regard
// to case, as on a real device (GET /rpc/shelly.getstatus works there).
#pragma once

#include "core/meter_state.hpp"
#include "frontends/shelly/identity.hpp"
#include "net/rpc.hpp"

#include <span>

namespace meteremu::shelly {

/// Everything a method may read to answer one call.
struct MethodContext {
    const Identity& identity;
    const MeterState& state;
    SteadyTime started;
    WallTime started_wall;
    SteadyTime now;
    WallTime wall_now;
    const json_t* params; ///< object or null
};

struct Method {
    std::string_view name;
    RpcOutcome (*handler)(const MethodContext& context);
};

/// The method called `name` in any letter case, or null.
const Method* FindMethod(std::string_view name) noexcept;

std::span<const Method> Methods() noexcept;

} // namespace meteremu::shelly
