// SPDX-License-Identifier: MIT
// The Envoy poll state machine, one Poll at a time on a scripted Envoy and a hand-moved clock:
// discovery (/info → token → /ivp/meters → readings), the /production.json fallback, back-off
// by kind, re-discovery, the periodic meter re-probe, and stale data.
#include "envoy_poller_fixture.hpp"

namespace meteremu::envoy {
namespace {

using Paths = std::vector<std::string>;

TEST_F(EnvoyPollerTest, DiscoversAuthenticatesProbesMetersThenPollsReadings) {
    ServeSite();
    // One request per step, in this order, none waiting.
    EXPECT_EQ(Step(), 0.0);
    EXPECT_EQ(envoy().Paths(), Paths{"/info"});
    EXPECT_EQ(Step(), 0.0);
    EXPECT_EQ(envoy().Paths(), (Paths{"/info", "/auth/check_jwt"}));
    EXPECT_EQ(envoy().Requests()[1].bearer, options_.token);
    EXPECT_EQ(Step(), 0.0);
    EXPECT_EQ(envoy().Paths().back(), "/ivp/meters");
    EXPECT_FALSE(View().reading) << "nothing is published before the readings";

    EXPECT_EQ(Step(), 1.0) << "after a reading: poll_interval";
    EXPECT_EQ(envoy().Paths().back(), "/ivp/meters/readings");
    MeterView view = View();
    ASSERT_TRUE(view.reading);
    EXPECT_EQ(view.freshness, Freshness::Fresh);
    EXPECT_DOUBLE_EQ((*view.reading)[Phase::A].act_power, -271.656);
    EXPECT_DOUBLE_EQ((*view.reading)[Phase::B].act_power, 432.145);
    EXPECT_EQ(view.reading->received_at, steady_) << "stamped on the poller's clock";
    EXPECT_EQ(poller().GetHealth().Summary(), "envoy ok");

    // Trust on first use: the gateway that accepted the token is pinned.
    auto pin = LoadGatewayPin(GatewayPinPath(dir_.Path()));
    ASSERT_TRUE(pin);
    EXPECT_EQ(pin->serial, kSiteSerial);
    EXPECT_EQ(pin->key, "sha256//trusted-key");

    Advance(Seconds(1.0));
    EXPECT_EQ(Step(), 1.0);
    EXPECT_EQ(envoy().Requests().size(), 5u);
    EXPECT_EQ(View().generation, view.generation + 1);
}

TEST_F(EnvoyPollerTest, ReprobesTheMetersEveryFiveMinutesOfItsClock) {
    ServeSite();
    for (int i = 0; i < 4; ++i)
        Step();
    Advance(kReprobeInterval - Seconds(1.0));
    Step();
    EXPECT_EQ(envoy().Paths().back(), "/ivp/meters/readings");
    Advance(Seconds(1.0));
    EXPECT_EQ(Step(), 0.0);
    EXPECT_EQ(envoy().Paths().back(), "/ivp/meters/readings") << "no request: only the step";
    EXPECT_EQ(envoy().Requests().size(), 5u);
    Step();
    EXPECT_EQ(envoy().Paths().back(), "/ivp/meters");
}

TEST_F(EnvoyPollerTest, FallsBackToProductionJsonWhenThereIsNoMetersPage) {
    envoy().Serve("/info", test::Fixture(std::string(kSiteFolder) + "info"));
    envoy().Serve("/production.json?details=1",
                  test::Fixture(std::string(kSiteFolder) + "production.json_details_1"));
    // /ivp/meters is not served: 404.
    Step();
    Step();
    EXPECT_EQ(Step(), 0.0);
    EXPECT_EQ(envoy().Paths().back(), "/ivp/meters");
    EXPECT_EQ(Step(), kProductionJsonInterval.count());
    EXPECT_EQ(envoy().Paths().back(), "/production.json?details=1");
    ASSERT_TRUE(View().reading);
    EXPECT_DOUBLE_EQ((*View().reading)[Phase::A].act_power, -295.092);
    EXPECT_EQ(poller().GetHealth().Summary(), "envoy ok (slow: /production.json every 30 s)");

    // Never more often than every 30 s, whatever calls Poll.
    Advance(Seconds(10.0));
    EXPECT_DOUBLE_EQ(Step(), 20.0);
    EXPECT_EQ(envoy().Requests().size(), 4u);
    Advance(Seconds(20.0));
    Step();
    EXPECT_EQ(envoy().Requests().size(), 5u);
    EXPECT_EQ(envoy().Paths().back(), "/production.json?details=1");
}

TEST_F(EnvoyPollerTest, ReadingsPageGoneSwitchesToProductionJson) {
    ServeSite();
    envoy().Serve("/production.json?details=1",
                  test::Fixture(std::string(kSiteFolder) + "production.json_details_1"));
    for (int i = 0; i < 4; ++i)
        Step();
    envoy().Fail("/ivp/meters/readings", ErrorKind::Missing);
    Advance(Seconds(1.0));
    EXPECT_EQ(Step(), 0.0);
    EXPECT_EQ(Step(), kProductionJsonInterval.count());
    EXPECT_EQ(envoy().Paths().back(), "/production.json?details=1");
}

TEST_F(EnvoyPollerTest, UnreachableBacksOffThenStartsAgainFromInfo) {
    ServeSite();
    for (int i = 0; i < 4; ++i)
        Step();
    envoy().Fail("/ivp/meters/readings", ErrorKind::Unreachable);
    // 0.5 s, then doubling: the daily maintenance ends without notice.
    EXPECT_DOUBLE_EQ(Step(), 0.5);
    EXPECT_DOUBLE_EQ(Step(), 1.0);
    EXPECT_EQ(envoy().Paths().back(), "/ivp/meters/readings");
    EXPECT_DOUBLE_EQ(Step(), 2.0);
    EXPECT_NE(poller().GetHealth().Summary().find("envoy unreachable since"), std::string::npos)
        << poller().GetHealth().Summary();
    // After three failures in a row, set up again from /info.
    envoy().Fail("/info", ErrorKind::Unreachable);
    EXPECT_DOUBLE_EQ(Step(), 3.0) << "capped at 3 s";
    EXPECT_EQ(envoy().Paths().back(), "/info");
    ServeSite();
    EXPECT_EQ(Step(), 0.0);
    EXPECT_EQ(Step(), 0.0);
    EXPECT_EQ(envoy().Paths().back(), "/ivp/meters") << "the session is kept: no token check";
    EXPECT_EQ(Step(), 1.0);
    EXPECT_EQ(envoy().Paths().back(), "/ivp/meters/readings");
    EXPECT_EQ(poller().GetHealth().Summary(), "envoy ok");
}

TEST_F(EnvoyPollerTest, ABadSampleIsDiscardedAndTheReadingGoesStale) {
    ServeSite();
    for (int i = 0; i < 4; ++i)
        Step();
    auto published = View().generation;
    envoy().Serve("/ivp/meters/readings", R"([{"eid":1}])");
    EXPECT_DOUBLE_EQ(Step(), 1.0);
    EXPECT_EQ(View().generation, published) << "no partial reading";
    EXPECT_NE(poller().GetHealth().Summary().find("envoy sends bad data"), std::string::npos);
    // The last good reading is served until stale_after (10 s) passes, then nothing.
    Advance(Seconds(9.9));
    EXPECT_EQ(View().freshness, Freshness::Fresh);
    Advance(Seconds(0.2));
    EXPECT_EQ(View().freshness, Freshness::Stale);
    EXPECT_FALSE(View().reading) << "on_stale = silent serves nothing";
}

} // namespace
} // namespace meteremu::envoy
