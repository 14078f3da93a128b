// SPDX-License-Identifier: MIT
// The MQTT backend's part of the systemd STATUS line.
#include "backends/mqtt/mqtt_health.hpp"
#include "util/time_format.hpp"

#include <gtest/gtest.h>

namespace meteremu::mqtt {
namespace {

TEST(MqttHealthTest, SaysHowTheConnectionGoes) {
    Health health;
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

} // namespace
} // namespace meteremu::mqtt
