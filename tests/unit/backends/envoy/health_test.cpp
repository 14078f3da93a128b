// SPDX-License-Identifier: MIT
// The Envoy's line on the systemd STATUS: short, and telling when the next attempt comes.
#include "backends/envoy/health.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace meteremu::envoy {
namespace {

using namespace std::chrono_literals;

TEST(HealthTest, SaysHowPollingGoes) {
    Health health;
    EXPECT_EQ(health.Summary(), "envoy: connecting");
    health.Set(Condition::Ok);
    EXPECT_EQ(health.Summary(), "envoy ok");
    health.Set(Condition::NoGridData);
    EXPECT_EQ(health.Summary(), "envoy: no enabled consumption CT");
    health.Set(Condition::NeedsToken, "token expired");
    EXPECT_EQ(health.Summary(), "envoy: token expired (see README)");
}

TEST(HealthTest, FailingSaysSinceWhenAndWhenItRetries) {
    Health health;
    health.SetFailing("unreachable", std::chrono::system_clock::now(), 3.2s);
    EXPECT_TRUE(std::regex_match(
        health.Summary(), std::regex(R"(envoy unreachable since \d\d:\d\d, retrying in 4 s)")))
        << health.Summary();
    health.SetFailing("answers errors", std::chrono::system_clock::now(), 0s);
    EXPECT_TRUE(std::regex_match(
        health.Summary(), std::regex(R"(envoy answers errors since \d\d:\d\d, retrying now)")))
        << health.Summary();
}

} // namespace
} // namespace meteremu::envoy
