// SPDX-License-Identifier: MIT
#include "core/site_mapping.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

Reading ThreePhase() {
    Reading reading;
    reading[Phase::A] = {230.1, 5.0, 1000, 1100, 0.91, 50.01, 100, 10};
    reading[Phase::B] = {231.2, 2.0, -400, 450, -0.89, 50.01, 200, 20};
    reading[Phase::C] = {229.3, 1.0, 200, 230, 0.87, 50.01, 300, 30};
    return reading;
}

TEST(SiteMappingTest, ThreePhaseSitePassesThrough) {
    Reading reading = ThreePhase();
    Reading mapped = MapToSite(reading, {3, Phase::B});
    EXPECT_EQ(mapped[Phase::B].act_power, -400);
    EXPECT_EQ(mapped[Phase::C].voltage, 229.3);
}

TEST(SiteMappingTest, SinglePhaseSiteCarriesTheTotalOnItsPhase) {
    Reading mapped = MapToSite(ThreePhase(), {1, Phase::B});
    const PhaseReading& b = mapped[Phase::B];
    EXPECT_DOUBLE_EQ(b.act_power, 800);
    EXPECT_DOUBLE_EQ(b.aprt_power, 1780);
    EXPECT_DOUBLE_EQ(b.current, 8.0);
    EXPECT_DOUBLE_EQ(b.import_wh, 600);
    EXPECT_DOUBLE_EQ(b.export_wh, 60);
    EXPECT_DOUBLE_EQ(b.voltage, 230.1);
    EXPECT_DOUBLE_EQ(b.frequency, 50.01);
    EXPECT_DOUBLE_EQ(b.power_factor, 800.0 / 1780.0);
    for (Phase other : {Phase::A, Phase::C}) {
        EXPECT_EQ(mapped[other].act_power, 0);
        EXPECT_EQ(mapped[other].voltage, 0);
        EXPECT_EQ(mapped[other].import_wh, 0);
    }
    EXPECT_DOUBLE_EQ(mapped.TotalActPower(), 800);
}

TEST(SiteMappingTest, SingleChannelSourceKeepsItsValues) {
    Reading source;
    source[Phase::A] = {236.4, 4.2, -950, 990, -0.96, 59.98, 1234, 5678};
    Reading mapped = MapToSite(source, {1, Phase::C});
    EXPECT_DOUBLE_EQ(mapped[Phase::C].voltage, 236.4);
    EXPECT_DOUBLE_EQ(mapped[Phase::C].act_power, -950);
    EXPECT_DOUBLE_EQ(mapped[Phase::C].power_factor, -950.0 / 990.0);
    EXPECT_EQ(mapped[Phase::A].act_power, 0);
}

TEST(ReadingTest, PowerFactorIsBoundedAndZeroWithoutLoad) {
    EXPECT_EQ(PowerFactor(0, 0), 0);
    EXPECT_EQ(PowerFactor(10, 0), 0);
    EXPECT_EQ(PowerFactor(101, 100), 1);
    EXPECT_EQ(PowerFactor(-101, 100), -1);
    EXPECT_DOUBLE_EQ(PowerFactor(-50, 100), -0.5);
}

} // namespace
} // namespace meteremu
