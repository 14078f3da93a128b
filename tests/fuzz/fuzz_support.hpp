// SPDX-License-Identifier: MIT
// What the fuzz targets share: the Shelly frontend on a meter state with a fresh reading, as
// every transport serves it, and a check that stops the run like a crash would.
#pragma once

#include "core/meter_state.hpp"
#include "frontends/shelly/shelly_frontend.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>

namespace meteremu::fuzz {

/// Stops the run (libFuzzer reports it as a crash, with the input) when `holds` is false.
inline void Require(bool holds, const char* what) {
    if (holds) return;
    std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
    std::abort();
}

struct Meter {
    MeterState state{SiteLayout{}, FreshnessPolicy{std::chrono::seconds(10), OnStale::Silent}};
    std::unique_ptr<JsonRpcFrontend> frontend;

    Meter() {
        ShellyOptions options;
        options.mac = {0x02, 0x00, 0x5e, 0x10, 0x20, 0x30};
        frontend = CreateShellyFrontend(options, {state, std::chrono::steady_clock::now()});
    }

    /// A fresh reading, so that every method has data to serve (an input never meets a
    /// reading turned stale by the length of the run).
    void Publish() {
        Reading reading;
        reading[Phase::A] = {230.1, 5.2, 1180.5, 1196.0, 0.99, 50.01, 123456.78, 2345.6};
        reading[Phase::B] = {229.4, 0.4, -80.0, 92.0, -0.87, 50.01, 7890.12, 45.6};
        reading[Phase::C] = {231.0, 0.0, 0.0, 0.0, 0.0, 50.01, 0.0, 0.0};
        reading.received_at = std::chrono::steady_clock::now();
        state.Publish(reading);
    }
};

inline std::string_view AsText(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

} // namespace meteremu::fuzz
