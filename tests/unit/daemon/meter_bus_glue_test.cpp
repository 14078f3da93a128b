// SPDX-License-Identifier: MIT
// What the bus shows of the facts the status page gathers.
#include "daemon/meter_bus_glue.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

using namespace std::chrono_literals;

StatusFacts Gathered() {
    StatusFacts facts;
    facts.now = SteadyTime{} + 1000s;
    facts.version = "0.1.0";
    facts.config_file = "/etc/meteremu.toml";
    auto reading = std::make_shared<Reading>();
    reading->phases[0].act_power = 400;
    reading->phases[1].act_power = -700;
    reading->phases[2].act_power = 50.5;
    reading->received_at = facts.now - 2500ms;
    facts.reading = reading;
    facts.stale_after = Seconds(10);
    facts.source_describe = "Envoy at 192.168.1.10";
    facts.source_health = "envoy ok";
    facts.source.token_expires = WallTime{} + std::chrono::seconds(1'900'000'000);
    facts.clients_last_minute = 3;
    StatusFacts::Frontend frontend;
    frontend.name = "shelly";
    frontend.type = "shelly";
    frontend.describe = "Shelly Pro 3EM x";
    frontend.http_port = 80;
    frontend.on_stale = "silent";
    frontend.serving = "fresh";
    facts.frontends.push_back(frontend);
    return facts;
}

TEST(MeterBusGlueTest, TheReadingItsTimeAndTheTokensExpiryAsTheBusShowsThem) {
    auto wall_now = WallTime{} + std::chrono::seconds(1'800'000'000);
    MeterBusFacts bus = BusFactsOf(Gathered(), wall_now);
    EXPECT_TRUE(bus.reading_present);
    EXPECT_EQ(bus.grid_power, (std::array<double, 3>{400, -700, 50.5}));
    EXPECT_DOUBLE_EQ(bus.grid_power_total, -249.5);
    EXPECT_EQ(bus.reading_time_us, 1'799'999'997'500'000u);
    EXPECT_DOUBLE_EQ(bus.reading_age_s, 2.5);
    EXPECT_FALSE(bus.stale);
    EXPECT_EQ(bus.token_expiry_s, 1'900'000'000u);
    EXPECT_EQ(bus.clients, 3u);
    ASSERT_EQ(bus.frontends.size(), 1u);
    EXPECT_EQ(bus.frontends[0],
              (MeterBusFacts::Frontend{"shelly", "shelly", "Shelly Pro 3EM x", 80, "fresh"}));
}

TEST(MeterBusGlueTest, BeforeTheFirstReadingAndWithoutATokenTheyAreZero) {
    StatusFacts facts = Gathered();
    facts.reading = nullptr;
    facts.source.token_expires.reset();
    MeterBusFacts bus = BusFactsOf(facts, WallTime{} + std::chrono::seconds(1'800'000'000));
    EXPECT_FALSE(bus.reading_present);
    EXPECT_EQ(bus.reading_time_us, 0u);
    EXPECT_EQ(bus.token_expiry_s, 0u);
    EXPECT_EQ(bus.grid_power, (std::array<double, 3>{}));
}

} // namespace
} // namespace meteremu
