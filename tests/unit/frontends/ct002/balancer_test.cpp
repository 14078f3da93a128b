// SPDX-License-Identifier: MIT
// Active mode's balancer: how the grid error of one phase is shared out among the batteries
// regulating on it. The parts always add up to the error, so the group corrects it once.
#include "frontends/ct002/balancer.hpp"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

namespace meteremu::ct002 {
namespace {

/// A battery outputting `output_w` (W, + discharging); GCC warns of members a designated
/// initializer leaves out.
Participant At(double output_w, double weight = 1, bool ac_charging = true) {
    return {output_w, weight, ac_charging};
}

/// Each battery's reading for `grid_w`, under the default settings unless given.
std::vector<double> Readings(const std::vector<Participant>& group, double grid_w,
                             const BalanceSettings& settings = {}) {
    std::vector<double> readings(group.size());
    ShareReadings(group, grid_w, settings, readings);
    return readings;
}

double Sum(const std::vector<double>& values) {
    return std::accumulate(values.begin(), values.end(), 0.0);
}

TEST(BalancerTest, OneBatteryGetsTheGridExactly) {
    EXPECT_DOUBLE_EQ(Readings({At(250)}, 123.5).at(0), 123.5);
    EXPECT_DOUBLE_EQ(Readings({At(-300)}, -40).at(0), -40);
    EXPECT_DOUBLE_EQ(Readings({At(0)}, 777).at(0), 777);
    // A DC-coupled one too, while the error leaves it above its floor.
    EXPECT_DOUBLE_EQ(Readings({At(300, 1, false)}, -100).at(0), -100);
}

TEST(BalancerTest, TwoEqualBatteriesAtEqualOutputsGetHalfEach) {
    auto readings = Readings({At(200), At(200)}, 300);
    EXPECT_DOUBLE_EQ(readings[0], 150);
    EXPECT_DOUBLE_EQ(readings[1], 150);
}

TEST(BalancerTest, AnUnevenSplitLeansTheErrorTowardTheBatteryBelowItsShare) {
    // Together they must deliver 700 W, 350 each: the second, at 100 W, gets more of the
    // 200 W still imported than the first, at 400 W; with a gain of 0.5, half of the error
    // goes by weight (100 each) and half to the one below its share.
    BalanceSettings half;
    half.gain = 0.5;
    auto readings = Readings({At(400), At(100)}, 200, half);
    EXPECT_DOUBLE_EQ(readings[0], 50);
    EXPECT_DOUBLE_EQ(readings[1], 150);
    for (double gain : {0.1, 0.3, 0.5, 0.9}) {
        BalanceSettings settings;
        settings.gain = gain;
        readings = Readings({At(400), At(100)}, 200, settings);
        EXPECT_GT(readings[1], readings[0]) << gain;
        EXPECT_DOUBLE_EQ(Sum(readings), 200) << gain;
        // Exporting, the one above its share gives up more.
        readings = Readings({At(400), At(100)}, -200, settings);
        EXPECT_LT(readings[0], readings[1]) << gain;
        EXPECT_DOUBLE_EQ(Sum(readings), -200) << gain;
    }
    // Gain 0: by weight only, as relay mode.
    BalanceSettings none;
    none.gain = 0;
    EXPECT_EQ(Readings({At(400), At(100)}, 200, none), (std::vector<double>{100, 100}));
}

TEST(BalancerTest, NobodyIsAskedToMoveAgainstTheError) {
    const std::vector<std::vector<Participant>> groups{
        {At(700), At(0)},
        {At(-500), At(600), At(50)},
        {At(100, 3), At(900)},
    };
    for (const auto& group : groups) {
        for (double grid : {10.0, 250.0, -10.0, -400.0}) {
            auto readings = Readings(group, grid);
            EXPECT_NEAR(Sum(readings), grid, 1e-9);
            for (double reading : readings)
                EXPECT_GE(reading * grid, 0) << "grid " << grid << ", reading " << reading;
        }
    }
}

TEST(BalancerTest, NoBatteryIsSteeredAcrossZeroAgainstTheOthers) {
    // Discharging together, a 300 W drop would take 150 W from each by weight: the one at
    // 90 W would charge from the other. It stops at zero and the other gives up the rest.
    for (double gain : {0.0, 0.3, 1.0}) {
        BalanceSettings settings;
        settings.gain = gain;
        auto readings = Readings({At(500), At(90)}, -300, settings);
        EXPECT_GE(90 + readings[1], 0) << gain;
        EXPECT_DOUBLE_EQ(Sum(readings), -300) << gain;
        // Charging together, the same the other way round.
        readings = Readings({At(-500), At(-90)}, 300, settings);
        EXPECT_LE(-90 + readings[1], 0) << gain;
        EXPECT_DOUBLE_EQ(Sum(readings), 300) << gain;
    }
    // A battery already on the other side is not pushed further, only back.
    auto readings = Readings({At(500), At(-40)}, -100);
    EXPECT_GE(readings[1], 0);
}

TEST(BalancerTest, AB2500AtItsFloorGetsNoneOfAChargingErrorAndTheVenusAllOfIt) {
    std::vector<Participant> group{
        At(80, 1, ChargesFromGrid("HMJ-2")),
        At(300, 1, ChargesFromGrid("HMG-50")),
    };
    auto readings = Readings(group, -100);
    EXPECT_DOUBLE_EQ(readings[0], 0);
    EXPECT_DOUBLE_EQ(readings[1], -100);
}

TEST(BalancerTest, AtAStillGridABatteryWhoseTimeHasComeStepsTowardItsShare) {
    // 500 W and 100 W at a grid of 5 W: the leaning has nothing to lean with.
    std::vector<Participant> group{At(500), At(100)};
    auto still = Readings(group, 5);
    EXPECT_DOUBLE_EQ(Sum(still), 5);
    group[0].may_step = true;
    auto stepped = Readings(group, 5);
    EXPECT_DOUBLE_EQ(stepped[0], still[0] - 25); // 25 W toward its 302.5 W
    EXPECT_DOUBLE_EQ(stepped[1], still[1]);
    // Not when the grid moves (50 W from zero or more), not a DC-coupled battery, not when it is
    // near its share, and never with the rate at 0.
    EXPECT_EQ(Readings(group, 60), Readings({At(500), At(100)}, 60));
    EXPECT_EQ(Readings({At(500, 1, false), At(100)}, 5)[0],
              Readings({{500, 1, false, true}, At(100)}, 5)[0]);
    EXPECT_EQ(Readings({{310, 1, true, true}, At(290)}, 0), Readings({At(310), At(290)}, 0));
    BalanceSettings never;
    never.balance_rate_w_per_s = 0;
    EXPECT_EQ(Readings(group, 5, never), Readings({At(500), At(100)}, 5, never));
    EXPECT_DOUBLE_EQ(BalanceInterval(BalanceSettings{}), 2.5); // 25 W at 10 W/s
    EXPECT_DOUBLE_EQ(BalanceInterval(never), 0);
}

TEST(BalancerTest, ChargesFromGridIsFalseForTheDcCoupledTypes) {
    for (const char* type : {"HMA-1", "HMB-3", "HMJ-2", "HMK-1", "JPLS-8H"})
        EXPECT_FALSE(ChargesFromGrid(type)) << type;
    for (const char* type : {"HMG-50", "VNSD-0", ""})
        EXPECT_TRUE(ChargesFromGrid(type)) << type;
}

TEST(BalancerTest, WeightsTwoToOneShareTwoToOne) {
    auto readings = Readings({At(0, 2), At(0, 1)}, 300);
    EXPECT_DOUBLE_EQ(readings[0], 200);
    EXPECT_DOUBLE_EQ(readings[1], 100);
}

TEST(BalancerTest, AllZeroWeightsBehaveAsEqual) {
    auto zero = Readings({At(400, 0), At(100, 0)}, 200);
    auto equal = Readings({At(400), At(100)}, 200);
    EXPECT_EQ(zero, equal);
    EXPECT_DOUBLE_EQ(Sum(zero), 200);
}

TEST(BalancerTest, PacedCapsByWattsPerSecondAndZeroIsOff) {
    BalanceSettings paced;
    paced.pace_w_per_s = 100;
    EXPECT_DOUBLE_EQ(Paced(500, 2, paced), 200);
    EXPECT_DOUBLE_EQ(Paced(-500, 1, paced), -100);
    EXPECT_DOUBLE_EQ(Paced(50, 1, paced), 50);
    // First heard, or after a pause: at most 5 s worth.
    EXPECT_DOUBLE_EQ(Paced(900, 60, paced), 500);
    EXPECT_DOUBLE_EQ(Paced(900, 60, BalanceSettings{}), 900);
    EXPECT_DOUBLE_EQ(Paced(-900, 0.1, BalanceSettings{}), -900);
}

} // namespace
} // namespace meteremu::ct002
