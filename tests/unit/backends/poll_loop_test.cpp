// SPDX-License-Identifier: MIT
// PollLoop keeps the heartbeat duty of backends/backend.hpp for a backend that polls: it ticks
// at least every kHeartbeatPeriod while it waits out a long poll_interval, and stops at once.
#include "backends/poll_loop.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace meteremu {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

TEST(PollLoopTest, TicksEveryHeartbeatPeriodWhileAPollIntervalLasts) {
    Heartbeat heartbeat;
    std::atomic<int> polls{0};
    PollLoop loop("poll-test", heartbeat);
    loop.Start([&](std::stop_token) {
        ++polls;
        return Seconds(3600.0); // a poll_interval far longer than the test
    });
    // Sample over a few periods: no gap between ticks may be much over one period.
    auto deadline = steady_clock::now() + 8 * kHeartbeatPeriod;
    auto last_tick_at = steady_clock::now();
    std::uint64_t last = heartbeat.Ticks();
    steady_clock::duration longest{};
    while (steady_clock::now() < deadline) {
        std::this_thread::sleep_for(milliseconds(5));
        auto now = steady_clock::now();
        if (heartbeat.Ticks() != last) {
            last = heartbeat.Ticks();
            last_tick_at = now;
        }
        longest = std::max(longest, now - last_tick_at);
    }
    EXPECT_EQ(polls.load(), 1);
    EXPECT_GE(heartbeat.Ticks(), 6u);
    // One period plus scheduling slack on a loaded machine.
    EXPECT_LT(longest, kHeartbeatPeriod + milliseconds(150))
        << std::chrono::duration_cast<milliseconds>(longest).count() << " ms without a tick";

    auto stopping = steady_clock::now();
    loop.Stop();
    EXPECT_LT(steady_clock::now() - stopping, milliseconds(500)) << "Stop waits for no tick";
}

TEST(PollLoopTest, APollThatHangsStopsTheTicks) {
    Heartbeat heartbeat;
    std::atomic<bool> hung{false};
    PollLoop loop("poll-test", heartbeat);
    loop.Start([&](std::stop_token stop) {
        hung = true;
        while (!stop.stop_requested())
            std::this_thread::sleep_for(milliseconds(10));
        return Seconds(0.0);
    });
    for (int i = 0; i < 2000 && !hung; ++i)
        std::this_thread::sleep_for(milliseconds(1));
    ASSERT_TRUE(hung);
    std::uint64_t at_hang = heartbeat.Ticks();
    std::this_thread::sleep_for(3 * kHeartbeatPeriod);
    EXPECT_EQ(heartbeat.Ticks(), at_hang) << "the watchdog must see a hung poll as hung";
    loop.Stop();
}

} // namespace
} // namespace meteremu
