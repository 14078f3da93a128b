// SPDX-License-Identifier: MIT
// Each battery law against a step trajectory: the house load steps at once, the battery's
// output reaches each command before its next reading (no meter, no latency), and the
// commands must follow the reference. B2500: the published reference answer to a 300 W load
// (docs/simulator.md#battery-models); the other laws: the trajectory their published rules
// give, worked out by hand in the comments.
#include "battery.hpp"
#include "control_laws.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace meteremu::sim {
namespace {

/// The commands of `law` answering a constant `load_w`, one reading per cycle, the output
/// following each command at once.
std::vector<double> StepTrajectory(ControlLaw& law, double load_w, int cycles,
                                   double output_w = 0) {
    std::vector<double> commands;
    double setpoint = output_w;
    for (int cycle = 0; cycle < cycles; ++cycle) {
        setpoint = law.Next(load_w - output_w, output_w, setpoint);
        output_w = setpoint;
        commands.push_back(setpoint);
    }
    return commands;
}

TEST(B2500Law, FollowsThePublishedTrajectoryForA300WLoad) {
    B2500Law law{B2500Spec{}};
    // 9 W before the step (what the reference's first value implies), then ~17 W a cycle.
    std::vector<double> commands = StepTrajectory(law, 300, 20, 9);
    ASSERT_GE(commands.size(), 3u);
    EXPECT_DOUBLE_EQ(commands[0], 26);
    EXPECT_DOUBLE_EQ(commands[1], 43);
    EXPECT_DOUBLE_EQ(commands[2], 60);
    for (std::size_t cycle = 1; cycle < commands.size(); ++cycle)
        EXPECT_LE(commands[cycle] - commands[cycle - 1], 17.0 + 1e-9);
    // The reference ends at 297 W; this law stops once |grid| ≤ 10 W, at 298 W.
    EXPECT_NEAR(commands.back(), 297, 1.0);
    EXPECT_DOUBLE_EQ(commands[commands.size() - 1], commands[commands.size() - 2]);
}

TEST(B2500Law, NeverChargesAndKeepsItsMinimumOnceReached) {
    B2500Law law{B2500Spec{}};
    std::vector<double> up = StepTrajectory(law, 300, 20, 9);
    ASSERT_GT(up.back(), 80);
    // PV now exports: the output falls 17 W a cycle but stops at 80 W, never charging.
    std::vector<double> down = StepTrajectory(law, -500, 40, up.back());
    EXPECT_DOUBLE_EQ(down.back(), 80);
    for (double command : down)
        EXPECT_GE(command, 80);
}

TEST(VenusDLaw, TakesA500WErrorInOneStepAndHoldsInsideItsDeadband) {
    VenusDLaw law{VenusDSpec{}};
    std::vector<double> commands = StepTrajectory(law, 500, 3);
    // setpoint += 1.0·(500 − 0) − 5 = 495; then the reading is 5 W, inside ±11 W: hold.
    EXPECT_DOUBLE_EQ(commands[0], 495);
    EXPECT_DOUBLE_EQ(commands[1], 495);
    EXPECT_DOUBLE_EQ(commands[2], 495);
}

TEST(VenusDLaw, ClampsToItsLimits) {
    VenusDLaw law{VenusDSpec{}};
    EXPECT_DOUBLE_EQ(StepTrajectory(law, 5000, 1)[0], 2200);
    VenusDLaw charging{VenusDSpec{}};
    EXPECT_DOUBLE_EQ(StepTrajectory(charging, -5000, 1)[0], -800);
}

TEST(MarstekRampLaw, Hmg50AcceleratesThroughItsGainTable) {
    MarstekRampLaw law{MarstekRampSpec{}};
    // 1000 W of import, the ramp counter rising 1, 2 (55 W), 3 (100), 4 (200), 5 (400), and
    // the last step only what is left; then 0 W is inside the small-import hold.
    std::vector<double> commands = StepTrajectory(law, 1000, 7);
    std::vector<double> expected{55, 110, 210, 410, 810, 1000, 1000};
    EXPECT_EQ(commands, expected);
}

TEST(MarstekRampLaw, Hmg50ChargesFasterThanItDischarges) {
    MarstekRampLaw law{MarstekRampSpec{}};
    // Export of 1000 W: 55, 55, then 180, 350 and the rest (−3, −4, −5 of the charge table).
    std::vector<double> commands = StepTrajectory(law, -1000, 5);
    std::vector<double> expected{-55, -110, -290, -640, -1000};
    EXPECT_EQ(commands, expected);
}

TEST(MarstekRampLaw, Hmg50HoldsOnceOnAJumpItsOwnOutputDoesNotExplain) {
    MarstekRampLaw law{MarstekRampSpec{}};
    EXPECT_DOUBLE_EQ(law.Next(5, 200, 200), 200);   // inside the import hold
    EXPECT_DOUBLE_EQ(law.Next(335, 200, 200), 200); // +330 W, own output still: held
    EXPECT_DOUBLE_EQ(law.Next(340, 200, 200), 255); // confirmed: ramp starts, 55 W
}

TEST(MarstekRampLaw, Hmg50LeavesSmallImportAlone) {
    MarstekRampLaw law{MarstekRampSpec{}};
    EXPECT_DOUBLE_EQ(law.Next(9, 300, 300), 300);   // 0 ≤ g < 10: hold
    EXPECT_DOUBLE_EQ(law.Next(-15, 300, 300), 285); // export is taken, never more than it
    MarstekRampLaw idle{MarstekRampSpec{}};
    EXPECT_DOUBLE_EQ(idle.Next(-15, 0, 0), 0); // idle and |g| < 20 W: stays idle
}

TEST(MarstekRampLaw, VenusE3HasADeadbandAndWholeWattSteps) {
    MarstekRampLaw law{MarstekRampSpec{.import_hold_w = 0, .deadband_w = 10, .whole_watts = true}};
    EXPECT_DOUBLE_EQ(law.Next(10, 300, 300), 300); // |g| ≤ 10 W: hold
    EXPECT_DOUBLE_EQ(law.Next(-10, 300, 300), 300);
    EXPECT_DOUBLE_EQ(law.Next(30.7, 300, 300), 330); // step ⌊30.7⌋
    std::vector<double> commands = StepTrajectory(law, 1000, 6, 0);
    std::vector<double> expected{55, 110, 210, 410, 810, 1000};
    EXPECT_EQ(commands, expected);
}

TEST(IntegratorLaw, AddsEachReadingToItsOutput) {
    IntegratorLaw law{IntegratorSpec{}};
    // Gain 1: a 300 W load is covered by the first reply; the same sample served again
    // doubles the correction, which is how a repeated sample swings the grid.
    EXPECT_DOUBLE_EQ(law.Next(300, 0, 0), 300);
    EXPECT_DOUBLE_EQ(law.Next(300, 300, 300), 600);
    EXPECT_DOUBLE_EQ(law.Next(2000, 0, 0), 800);
}

TEST(Battery, SlewsTowardItsCommandAndStopsAtItsLimits) {
    std::optional<Battery> battery = MakeBattery("hmg50");
    ASSERT_TRUE(battery);
    battery->OnReading(1000); // ramp counter 1: a 55 W step
    battery->Advance(0.1);    // 200 W/s: 20 W
    EXPECT_DOUBLE_EQ(battery->Output(), 20);
    battery->Advance(1.0);
    EXPECT_DOUBLE_EQ(battery->Output(), 55);
    EXPECT_LT(battery->Soc(), 0.5);
}

TEST(Battery, AnEmptyBatteryStopsDischarging) {
    Battery battery(BatterySpec{.slew_w_per_s = 1e6, .capacity_wh = 1, .initial_soc = 0.2},
                    std::make_unique<IntegratorLaw>(IntegratorSpec{}));
    battery.OnReading(500);
    for (int step = 0; step < 100; ++step)
        battery.Advance(0.1);
    EXPECT_DOUBLE_EQ(battery.Output(), 0);
    EXPECT_DOUBLE_EQ(battery.DischargeHeadroom(), 0);
}

TEST(Battery, EveryModelIsKnown) {
    for (const std::string& model : BatteryModelNames())
        EXPECT_TRUE(MakeBattery(model)) << model;
    EXPECT_FALSE(MakeBattery("nonesuch"));
}

} // namespace
} // namespace meteremu::sim
