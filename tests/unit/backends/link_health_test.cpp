// SPDX-License-Identifier: MIT
// A push source's part of the systemd STATUS line.
#include "backends/link_health.hpp"
#include "util/time_format.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

TEST(LinkHealthTest, SaysHowTheConnectionGoes) {
    LinkHealth health("mqtt");
    EXPECT_EQ(health.Summary(), "mqtt: starting");
    health.Set(" ok");
    EXPECT_EQ(health.Summary(), "mqtt ok");
    WallTime since = std::chrono::system_clock::now();
    health.SetFailing("auth refused", since, Seconds(8));
    EXPECT_EQ(health.Summary(),
              "mqtt auth refused since " + FormatTime(since, "%H:%M", true) + ", retrying in 8 s");
    health.SetFailing("unreachable", since, Seconds(0));
    EXPECT_TRUE(health.Summary().ends_with(", retrying now")) << health.Summary();
    health.Set(": no value on topic_b");
    EXPECT_EQ(health.Summary(), "mqtt: no value on topic_b");
}

TEST(LinkHealthTest, RetriesBackOffFromOneSecondToThirty) {
    EXPECT_EQ(RetryWaitAfter(1), Seconds(1));
    EXPECT_EQ(RetryWaitAfter(2), Seconds(2));
    EXPECT_EQ(RetryWaitAfter(5), Seconds(16));
    EXPECT_EQ(RetryWaitAfter(6), Seconds(30));
    EXPECT_EQ(RetryWaitAfter(1000), Seconds(30));
}

} // namespace
} // namespace meteremu
