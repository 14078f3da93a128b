// SPDX-License-Identifier: MIT
// The UDP reply budget per source address, on a clock the test moves.
#include "net/reply_rate_limiter.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

using namespace std::chrono_literals;

const SteadyTime kStart{std::chrono::hours(100)};

IpAddress Ip(const std::string& text) {
    return IpAddress::Parse(text).value();
}

int Allowed(ReplyRateLimiter& limiter, const IpAddress& address, int tries, SteadyTime now) {
    int allowed = 0;
    for (int i = 0; i < tries; ++i)
        allowed += limiter.Allow(address, now);
    return allowed;
}

TEST(ReplyRateLimiterTest, BurstThenTheRate) {
    ReplyRateLimiter limiter(4);
    IpAddress battery = Ip("192.168.1.20");
    EXPECT_EQ(Allowed(limiter, battery, 10, kStart), 4);
    EXPECT_EQ(Allowed(limiter, battery, 10, kStart + 250ms), 1);
    EXPECT_EQ(Allowed(limiter, battery, 10, kStart + 1250ms), 4); // a whole burst again
    EXPECT_EQ(Allowed(limiter, battery, 10, kStart + 60s), 4);    // never more than a burst
}

TEST(ReplyRateLimiterTest, APollingBatteryIsNeverThrottled) {
    ReplyRateLimiter limiter(10);
    IpAddress battery = Ip("192.168.1.20");
    // Discovery: a broadcast to both ports, then unicast polls every 0.4 s.
    EXPECT_EQ(Allowed(limiter, battery, 2, kStart), 2);
    for (int poll = 1; poll <= 100; ++poll)
        EXPECT_TRUE(limiter.Allow(battery, kStart + poll * 400ms)) << poll;
}

TEST(ReplyRateLimiterTest, EachAddressHasItsOwnBudget) {
    ReplyRateLimiter limiter(2);
    EXPECT_EQ(Allowed(limiter, Ip("192.168.1.20"), 5, kStart), 2);
    EXPECT_EQ(Allowed(limiter, Ip("192.168.1.21"), 5, kStart), 2);
    EXPECT_EQ(Allowed(limiter, Ip("fd00::21"), 5, kStart), 2);
}

TEST(ReplyRateLimiterTest, FractionalRateStillAllowsOneReply) {
    ReplyRateLimiter limiter(0.5);
    IpAddress battery = Ip("192.168.1.20");
    EXPECT_EQ(Allowed(limiter, battery, 3, kStart), 1);
    EXPECT_EQ(Allowed(limiter, battery, 3, kStart + 1s), 0);
    EXPECT_EQ(Allowed(limiter, battery, 3, kStart + 2s), 1);
}

TEST(ReplyRateLimiterTest, ZeroAndTheHostAreUnlimited) {
    ReplyRateLimiter unlimited(0);
    EXPECT_EQ(Allowed(unlimited, Ip("192.168.1.20"), 1000, kStart), 1000);
    ReplyRateLimiter limiter(1);
    EXPECT_EQ(Allowed(limiter, Ip("127.0.0.1"), 1000, kStart), 1000);
    EXPECT_EQ(Allowed(limiter, Ip("::1"), 1000, kStart), 1000);
    EXPECT_EQ(Allowed(limiter, Ip("127.0.0.2"), 1000, kStart), 1);
}

TEST(ReplyRateLimiterTest, AFullTableOfRecentSendersTurnsNewOnesAway) {
    ReplyRateLimiter limiter(1, 8);
    auto address = [](int i) { return Ip("10.0.0." + std::to_string(i)); };
    for (int i = 0; i < 8; ++i)
        EXPECT_TRUE(limiter.Allow(address(i), kStart)) << i;
    // A flood of forged addresses: none gets a fresh budget while the table is full.
    for (int i = 8; i < 200; ++i)
        EXPECT_FALSE(limiter.Allow(address(i), kStart + 10ms)) << i;
    // Once the known senders' budgets are whole again they are forgotten, making room.
    EXPECT_TRUE(limiter.Allow(address(100), kStart + 1100ms));
    EXPECT_TRUE(limiter.Allow(address(101), kStart + 1100ms));
}

TEST(ReplyRateLimiterTest, AFloodingSenderStaysRemembered) {
    ReplyRateLimiter limiter(1, 2);
    IpAddress flood = Ip("10.0.0.1");
    for (int i = 0; i < 50; ++i)
        limiter.Allow(flood, kStart + i * 100ms); // 10 per second against a budget of 1
    EXPECT_TRUE(limiter.Allow(Ip("10.0.0.2"), kStart + 5s));
    // Its budget is never whole, so it is never forgotten to make room for another.
    EXPECT_FALSE(limiter.Allow(Ip("10.0.0.3"), kStart + 5200ms));
}

} // namespace
} // namespace meteremu
