// SPDX-License-Identifier: MIT
// What `meteremu status` prints of the facts it read from the bus.
#include "platform/meter_bus_client.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

MeterBusFacts Exporting() {
    MeterBusFacts facts;
    facts.version = "0.1.0";
    facts.config_file = "/etc/meteremu.toml";
    facts.reading_present = true;
    facts.grid_power = {812.3, -1200.0, 35.5};
    facts.grid_power_total = -352.2;
    facts.reading_age_s = 0.42;
    facts.source = "Envoy at 192.168.1.10";
    facts.source_health = "envoy ok";
    facts.clients = 2;
    facts.frontends = {
        {"shelly", "shelly", "Shelly Pro 3EM shellypro3em-0aa1b2c3d4e5", 80, "fresh"},
        {"ct002", "ct002", "Marstek CT002", 0, "zeroed"}};
    return facts;
}

TEST(MeterStatusTextTest, SaysWhichWayThePowerFlowsPerPhaseAndWhatEachFrontendServes) {
    EXPECT_EQ(FormatMeterStatus(Exporting(), 0),
              "meteremu 0.1.0 (/etc/meteremu.toml)\n"
              "      Grid: exporting 352.2 W (A +812.3 W, B -1200.0 W, C +35.5 W)\n"
              "   Reading: 0.4 s old\n"
              "    Source: Envoy at 192.168.1.10: envoy ok\n"
              "   Clients: 2 in the last minute\n"
              "  Frontend: shelly, Shelly Pro 3EM shellypro3em-0aa1b2c3d4e5, HTTP port 80, "
              "serving fresh\n"
              "  Frontend: ct002, Marstek CT002, serving zeroed\n");
}

TEST(MeterStatusTextTest, StaleOrMissingReadingsAndTheTokensDaysAreSpelledOut) {
    MeterBusFacts facts = Exporting();
    facts.stale = true;
    facts.reading_age_s = 42;
    std::time_t now = 1'800'000'000;
    facts.token_expiry_s = static_cast<std::uint64_t>(now) + 30 * 86400 + 60;
    std::string text = FormatMeterStatus(facts, now);
    EXPECT_NE(text.find("   Reading: 42.0 s old, stale\n"), std::string::npos) << text;
    EXPECT_NE(text.find("     Token: valid until "), std::string::npos) << text;
    EXPECT_NE(text.find(" (30 days)\n"), std::string::npos) << text;
    facts.token_expiry_s = static_cast<std::uint64_t>(now) - 86400;
    EXPECT_NE(FormatMeterStatus(facts, now).find("     Token: expired on "), std::string::npos);
    facts.reading_present = false;
    text = FormatMeterStatus(facts, now);
    EXPECT_NE(text.find("      Grid: no reading yet\n"), std::string::npos) << text;
    EXPECT_NE(text.find("   Reading: none yet\n"), std::string::npos) << text;
}

} // namespace
} // namespace meteremu
