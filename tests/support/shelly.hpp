// SPDX-License-Identifier: MIT
// The Shelly frontend on a fresh MeterState, as the tests of the frontend and of every
// transport use it, and short ways to call it.
#pragma once

#include "frontends/shelly/shelly_frontend.hpp"
#include "util/json.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>

namespace meteremu::test {

struct ShellyUnderTest {
    std::unique_ptr<MeterState> state;
    std::unique_ptr<JsonRpcFrontend> frontend;
};

/// A Shelly with MAC `mac`, stale after 10 s, serving stale data per `mode`.
inline ShellyUnderTest MakeShelly(OnStale mode, const MacAddress& mac,
                                  shelly::Profile profile = shelly::Profile::Triphase) {
    ShellyUnderTest shelly;
    shelly.state =
        std::make_unique<MeterState>(SiteLayout{}, FreshnessPolicy{std::chrono::seconds(10), mode});
    ShellyOptions options;
    options.mac = mac;
    options.profile = profile;
    shelly.frontend =
        CreateShellyFrontend(options, {*shelly.state, std::chrono::steady_clock::now()});
    return shelly;
}

/// Calls `method` with `params` (JSON text, or null for none).
inline RpcOutcome CallWith(RpcHandler& handler, std::string_view method,
                           const char* params = nullptr) {
    JsonPtr json(params ? json_loads(params, 0, nullptr) : nullptr);
    EXPECT_TRUE(!params || json) << "bad JSON in the test: " << params;
    return handler.Call({method, json.get()}).outcome;
}

/// The result; fails the test (and gives "") when the call failed.
inline std::string ResultOf(const RpcOutcome& outcome) {
    if (auto* error = std::get_if<RpcError>(&outcome))
        ADD_FAILURE() << "error " << error->code << ": " << error->message;
    auto* result = std::get_if<std::string>(&outcome);
    return result ? *result : "";
}

/// The error; fails the test when the call succeeded.
inline RpcError ErrorOf(const RpcOutcome& outcome) {
    EXPECT_TRUE(std::holds_alternative<RpcError>(outcome));
    auto* error = std::get_if<RpcError>(&outcome);
    return error ? *error : RpcError{};
}

} // namespace meteremu::test
