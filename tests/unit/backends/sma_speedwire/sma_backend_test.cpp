// SPDX-License-Identifier: MIT
// The SMA backend's thread: it ticks its heartbeat while it cannot listen (the watchdog duty
// of backends/backend.hpp), says so in Health(), and stops promptly. Receiving is tested with
// the daemon in a network namespace (tests/integration/sma_speedwire_test.cpp).
#include "backends/sma_speedwire/sma_options.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace meteremu {
namespace {

using namespace std::chrono_literals;

TEST(SmaBackendTest, TicksWhileItCannotListenAndSaysWhy) {
    MeterState state{SiteLayout{}, FreshnessPolicy{}};
    Heartbeat heartbeat;
    SmaSpeedwireOptions options;
    options.interface = "nosuchif0";
    options.serial = 1901429669;
    auto backend =
        sma_speedwire_backend_plugin.create(options, {state, Seconds(1.0), heartbeat, {}});
    EXPECT_EQ(backend->Describe(), "SMA Speedwire, meter 1901429669, on nosuchif0");
    EXPECT_EQ(backend->Health(), "sma_speedwire: joining the multicast group on nosuchif0");
    backend->Start();
    std::uint64_t before = heartbeat.Ticks();
    std::this_thread::sleep_for(1200ms);
    EXPECT_GE(heartbeat.Ticks() - before, 4u) << "retrying must not look hung";
    EXPECT_TRUE(backend->Health().starts_with("sma_speedwire cannot listen on nosuchif0 since "))
        << backend->Health();
    EXPECT_FALSE(state.Latest());
    auto stopping = std::chrono::steady_clock::now();
    backend->Stop();
    EXPECT_LT(std::chrono::steady_clock::now() - stopping, 400ms) << "Stop waits out a retry";
}

} // namespace
} // namespace meteremu
