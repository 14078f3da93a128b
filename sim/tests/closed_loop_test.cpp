// SPDX-License-Identifier: MIT
// Short closed-loop runs (minutes of house time) asserting what serving each battery only
// new samples does to the grid. These are the acceptance numbers of docs/simulator.md; each
// compares meteremu as on main (every poll gets the newest reading) with the gate.
#include "metrics.hpp"
#include "scenarios.hpp"
#include "simulation.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace meteremu::sim {
namespace {

constexpr int kSeeds = 3;

/// The seed mean of a cell's metrics.
Metrics SeedMean(const std::string& scenario, const std::string& battery, const std::string& source,
                 const std::string& policy, Meter meter = Meter::Shelly) {
    std::vector<Metrics> runs;
    RunOverrides overrides;
    overrides.meter = meter;
    for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
        Cell cell{scenario, battery, source, std::nullopt, policy};
        runs.push_back(Measure(Simulate(MakeRun(cell, seed, METEREMU_SIM_FIXTURES, overrides))));
    }
    return MeanOf(runs);
}

double Swing(const Metrics& metrics) {
    return metrics.grid_p2p_w / 2;
}

TEST(ClosedLoop, TheSameSeedReplaysTheSameRun) {
    Cell cell{"washing", "hoymiles", "2-6s", 0.5, "hold"};
    RunTrace first = Simulate(MakeRun(cell, 9, METEREMU_SIM_FIXTURES));
    RunTrace again = Simulate(MakeRun(cell, 9, METEREMU_SIM_FIXTURES));
    RunTrace other = Simulate(MakeRun(cell, 10, METEREMU_SIM_FIXTURES));
    EXPECT_EQ(first.grid_w, again.grid_w);
    EXPECT_EQ(first.polls.size(), again.polls.size());
    EXPECT_NE(first.grid_w, other.grid_w);
}

TEST(ClosedLoop, HoymilesOnA1sSourceSwingsOnMainAndNotWithGating) {
    // A 0.5 s poller integrates every 1 s sample twice on main: the grid hunts by hundreds of
    // watts (uni-meter issue 12 measured ±300 W). Served each sample once, it stays in ±50 W.
    Metrics main = SeedMean("steady", "hoymiles", "1s", "main");
    Metrics hold = SeedMean("steady", "hoymiles", "1s", "hold");
    Metrics drop = SeedMean("steady", "hoymiles", "1s", "drop");
    EXPECT_GT(Swing(main), 200);
    EXPECT_LT(Swing(hold), 50);
    EXPECT_LT(Swing(drop), 50);
    EXPECT_NEAR(main.repeat_ratio, 0.5, 0.05);
    EXPECT_EQ(hold.repeat_ratio, 0);
    EXPECT_EQ(drop.repeat_ratio, 0);
    EXPECT_LT(hold.battery_travel_w_per_h, main.battery_travel_w_per_h / 4);
}

TEST(ClosedLoop, AFastVenusSettlesTheWashingMachineBetterWithGating) {
    // The HMG-50 with its cooldown set to 0 reads every 0.8 s, the Venus E 3.0 every 0.45 s:
    // both meet repeats of a 1 s source on main.
    for (const std::string battery : {"hmg50-fast", "venus-e3"}) {
        Metrics main = SeedMean("washing", battery, "1s", "main");
        Metrics hold = SeedMean("washing", battery, "1s", "hold");
        EXPECT_GT(main.repeat_ratio, 0.15) << battery;
        // On main the Venus E 3.0 settles no step at all (NaN): any settling is better.
        EXPECT_LT(hold.settle_mean_s, std::isnan(main.settle_mean_s) ? 1e9 : main.settle_mean_s)
            << battery;
        EXPECT_LT(hold.unsettled_events, main.unsettled_events / 2) << battery;
        EXPECT_LT(hold.band_crossings_per_h, main.band_crossings_per_h * 0.75) << battery;
        EXPECT_LT(hold.overshoot_max_w, main.overshoot_max_w) << battery;
    }
}

TEST(ClosedLoop, TheHmg50AtItsDefaultCooldownMeetsNoRepeatOfA1sSource) {
    // Every 2 s (0.8 s loop + 1.2 s cooldown) against a 1 s source: each poll already finds a
    // new sample, so the gate changes nothing there, for better or worse.
    Metrics main = SeedMean("washing", "hmg50", "1s", "main");
    Metrics hold = SeedMean("washing", "hmg50", "1s", "hold");
    EXPECT_EQ(main.repeat_ratio, 0);
    // The same to within a reply landing a few microseconds apart.
    EXPECT_NEAR(hold.settle_mean_s, main.settle_mean_s, 0.01 * main.settle_mean_s);
    EXPECT_NEAR(hold.band_crossings_per_h, main.band_crossings_per_h,
                0.01 * main.band_crossings_per_h);
    EXPECT_NEAR(hold.steady_rms_w, main.steady_rms_w, 0.01 * main.steady_rms_w);
}

TEST(ClosedLoop, ASlowSourceMakesVenusDHuntOnMainButNotWithGating) {
    // Venus D takes the whole error in one step every second; a 2 s source served twice
    // doubles every correction.
    Metrics main = SeedMean("steady", "venus-d", "2s", "main");
    Metrics hold = SeedMean("steady", "venus-d", "2s", "hold");
    EXPECT_GT(Swing(main), 300);
    EXPECT_LT(Swing(hold), 50);
    EXPECT_LT(hold.steady_rms_w, main.steady_rms_w / 4);
}

TEST(ClosedLoop, HoldServesFreshSamplesAndDropLeavesPollsUnanswered) {
    Metrics main = SeedMean("steady", "venus-e3", "2s", "main");
    Metrics hold = SeedMean("steady", "venus-e3", "2s", "hold");
    Metrics drop = SeedMean("steady", "venus-e3", "2s", "drop");
    EXPECT_GT(main.served_age_p50_s, 0.5);
    EXPECT_LT(hold.served_age_p50_s, 0.01);    // answered the moment the sample arrives
    EXPECT_GT(hold.reply_latency_p99_ms, 100); // … after waiting for it
    EXPECT_LT(main.reply_latency_p99_ms, 1);
    EXPECT_LT(main.unanswered_ratio, 0.01); // only polls before the first sample
    EXPECT_GT(drop.unanswered_ratio, 0.5);
}

TEST(ClosedLoop, BatteriesSharingACt002OvershootLessThanOnAShelly) {
    // On a Shelly each battery corrects the whole grid and together they correct it twice;
    // on a CT002 in relay mode each divides its phase by the count of batteries on it.
    for (const std::string batteries : {"hmg50+hmg50", "venus-e3+hmg50", "hmg50+b2500"}) {
        Metrics shelly = SeedMean("washing", batteries, "1s", "hold", Meter::Shelly);
        Metrics relay = SeedMean("washing", batteries, "1s", "hold", Meter::Ct002Relay);
        EXPECT_LT(relay.overshoot_max_w, shelly.overshoot_max_w * 0.6) << batteries;
        EXPECT_LT(relay.band_crossings_per_h, shelly.band_crossings_per_h * 0.75) << batteries;
        EXPECT_LT(relay.unsettled_events, shelly.unsettled_events / 2) << batteries;
        EXPECT_LT(relay.battery_travel_w_per_h, shelly.battery_travel_w_per_h) << batteries;
    }
}

TEST(ClosedLoop, OneBatteryOnACt002RunsAsOnAShelly) {
    Cell cell{"washing", "hmg50", "1s", std::nullopt, "hold"};
    RunOverrides relay;
    relay.meter = Meter::Ct002Relay;
    RunTrace shelly = Simulate(MakeRun(cell, 4, METEREMU_SIM_FIXTURES));
    RunTrace ct002 = Simulate(MakeRun(cell, 4, METEREMU_SIM_FIXTURES, relay));
    EXPECT_EQ(shelly.grid_w, ct002.grid_w);
}

TEST(ClosedLoop, OneBatteryOnAnActiveCt002RunsAsOnAShelly) {
    // Alone, a battery is steered by the whole grid error: the sum, also on three phases.
    RunOverrides active;
    active.meter = Meter::Ct002Active;
    for (const Cell& cell : {Cell{"household", "hmg50", "1s", std::nullopt, "hold"},
                             Cell{"pv", "b2500", "1s", std::nullopt, "hold"},
                             Cell{"household3", "venus-e3@B", "1s", std::nullopt, "hold"}}) {
        RunTrace shelly = Simulate(MakeRun(cell, 3, METEREMU_SIM_FIXTURES));
        RunTrace ct002 = Simulate(MakeRun(cell, 3, METEREMU_SIM_FIXTURES, active));
        EXPECT_EQ(shelly.grid_w, ct002.grid_w) << cell.battery;
    }
}

/// The seed mean of a cell's metrics under `meter`, on a 1 s source with the default `hold`.
Metrics FleetMean(const std::string& scenario, const std::string& batteries, Meter meter) {
    return SeedMean(scenario, batteries, "1s", "hold", meter);
}

/// What a battery owner pays for and what wears the batteries, one metric after another:
/// `better` must not be worse than `worse` on any.
void ExpectNoWorse(const Metrics& better, const Metrics& worse, const std::string& what) {
    EXPECT_LE(better.settle_mean_s, worse.settle_mean_s) << what;
    EXPECT_LE(better.unsettled_events, worse.unsettled_events) << what;
    EXPECT_LE(better.overshoot_max_w, worse.overshoot_max_w) << what;
    EXPECT_LE(better.band_crossings_per_h, worse.band_crossings_per_h) << what;
    EXPECT_LE(better.steady_rms_w, worse.steady_rms_w) << what;
    EXPECT_LE(better.battery_travel_w_per_h, worse.battery_travel_w_per_h) << what;
    EXPECT_LE(better.avoidable_import_wh + better.avoidable_export_wh,
              worse.avoidable_import_wh + worse.avoidable_export_wh)
        << what;
}

TEST(ClosedLoop, ActiveModeBeatsAShellyWithSeveralBatteries) {
    // The fleets of docs/simulator.md#several-batteries-on-one-meter, each on a house with
    // steps and a washing machine (PV for the Venus with the B2500; three phases for three).
    // The default balance gain is the largest that keeps every figure of every fleet (these
    // and the household's) at or below the Shelly's.
    struct Fleet {
        const char* scenario;
        const char* batteries;
    };
    for (const Fleet& fleet :
         {Fleet{"washing", "hmg50+hmg50"}, Fleet{"washing", "venus-e3+hmg50-slow"},
          Fleet{"pv", "hmg50+b2500"}, Fleet{"household3", "hmg50@A+hmg50@B+hmg50@C"}}) {
        std::string what = std::string(fleet.scenario) + " " + fleet.batteries;
        Metrics shelly = FleetMean(fleet.scenario, fleet.batteries, Meter::Shelly);
        Metrics active = FleetMean(fleet.scenario, fleet.batteries, Meter::Ct002Active);
        ExpectNoWorse(active, shelly, what);
        EXPECT_LT(active.band_crossings_per_h, shelly.band_crossings_per_h * 0.75) << what;
    }
}

TEST(ClosedLoop, ActiveModeKeepsAB2500FromFightingAVenusUnderPv) {
    // Relay mode gives the B2500 half of a charging error it cannot take (it does not charge
    // from AC and keeps 80 W); steered, the Venus takes it and the grid stays near zero.
    Metrics relay = FleetMean("pv", "hmg50+b2500", Meter::Ct002Relay);
    Metrics active = FleetMean("pv", "hmg50+b2500", Meter::Ct002Active);
    EXPECT_GT(relay.steady_rms_w, 100);
    EXPECT_LT(active.steady_rms_w, 40);
}

} // namespace
} // namespace meteremu::sim
