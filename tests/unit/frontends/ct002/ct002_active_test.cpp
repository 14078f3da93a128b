// SPDX-License-Identifier: MIT
// type = "ct002" in active mode, behind its real UDP server: each battery regulating with
// others gets its own part of the grid, counted alone, once per reading; a battery alone, one
// detecting its phase and mode = "relay" get relay mode's replies.
#include "frontends/ct002/ct002_frontend.hpp"
#include "support/meter_servers.hpp"
#include "unit/frontends/ct002/ct002_client.hpp"
#include "util/json.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

using ct002::Phase;
using test::MakeReading;
using test::Options;
using Battery = test::CtBattery;
using Fields = std::vector<std::string>;

/// Fields [from, to) of a reply, 0-based: 4-7 the grid A, B, C and total, 8-11 the counts
/// A, B, C, ABC, 14-18 charging x, A, B, C, ABC, 19-23 discharging.
Fields Slice(const std::optional<Fields>& reply, std::size_t from, std::size_t to) {
    if (!reply || reply->size() < to) return {"no reply"};
    return {reply->begin() + static_cast<std::ptrdiff_t>(from),
            reply->begin() + static_cast<std::ptrdiff_t>(to)};
}

const Fields kAloneOnA{"1", "0", "0", "0"};

/// The options, with a balance gain of 0.5 whatever the default: the parts below are
/// worked out with it (half of an error by weight, half toward the shares).
std::shared_ptr<Ct002Options> HalfGain(Ct002Mode mode = Ct002Mode::Auto) {
    auto options = Options(true, mode);
    options->balance.gain = 0.5;
    return options;
}

/// Two batteries on phase A, both polled once so that each is counted by the other.
struct TwoOnA {
    explicit TwoOnA(std::shared_ptr<Ct002Options> options = HalfGain())
        : servers(ct002_frontend_plugin, std::move(options), OnStale::Silent, true) {
        servers.state->Publish(MakeReading(0, 0, 0));
        EXPECT_TRUE(first.Poll(Phase::A, 0));
        EXPECT_TRUE(second.Poll(Phase::A, 0));
    }

    test::MeterServers servers;
    Battery first{servers, "aabbccddee01"};
    Battery second{servers, "aabbccddee02"};
};

TEST(Ct002ActiveTest, TwoBatteriesOnAPhaseGetPartsOfItsGridCountedAlone) {
    TwoOnA site;
    site.servers.state->Publish(MakeReading(200, 0, 0));
    // Together they must deliver 700 W: the second, further below its half, gets more.
    auto first = site.first.Poll(Phase::A, 400);
    auto second = site.second.Poll(Phase::A, 100);
    EXPECT_EQ(Slice(first, 4, 12), (Fields{"50", "0", "0", "50", "1", "0", "0", "0"}));
    EXPECT_EQ(Slice(second, 4, 12), (Fields{"150", "0", "0", "150", "1", "0", "0", "0"}));
    // Its bucket's sums hold what it is told to reach; the others are empty.
    EXPECT_EQ(Slice(first, 14, 24), (Fields{"0", "0", "0", "0", "0", "0", "450", "0", "0", "0"}));
    EXPECT_EQ(Slice(second, 14, 24), (Fields{"0", "0", "0", "0", "0", "0", "250", "0", "0", "0"}));
    EXPECT_EQ(Slice(first, 0, 4), (Fields{"HME-4", "02b250a1b2c3", "HMG-50", "aabbccddee01"}));
    EXPECT_EQ(Slice(second, 12, 14),
              (Fields{"-50", std::to_string((std::stoi(Slice(first, 13, 14)[0]) + 1) % 256)}));
}

TEST(Ct002ActiveTest, BatteriesOnTwoPhasesShareTheSumOrEachItsPhase) {
    // On the sum (the default) the 250 W of both phases are shared as one error: 750 W to
    // deliver, 125 W each by weight, and the second, below its 375 W, takes more.
    TwoOnA sum;
    sum.servers.state->Publish(MakeReading(200, 50, 0));
    EXPECT_EQ(Slice(sum.first.Poll(Phase::A, 400), 4, 9), (Fields{"63", "0", "0", "63", "1"}));
    auto second = sum.second.Poll(Phase::B, 100);
    EXPECT_EQ(Slice(second, 4, 10), (Fields{"0", "188", "0", "188", "0", "1"}));
    // By phase, each is alone on its phase and gets that phase's grid.
    auto options = HalfGain(Ct002Mode::Active);
    options->by_phase = true;
    TwoOnA by_phase(options);
    EXPECT_TRUE(by_phase.second.Poll(Phase::B, 100)); // now on B
    by_phase.servers.state->Publish(MakeReading(200, 50, 0));
    EXPECT_EQ(Slice(by_phase.first.Poll(Phase::A, 400), 4, 8), (Fields{"200", "0", "0", "200"}));
    EXPECT_EQ(Slice(by_phase.second.Poll(Phase::B, 100), 4, 8), (Fields{"0", "50", "0", "50"}));
}

TEST(Ct002ActiveTest, NoBatteryIsToldToChargeWhileTheOthersDischarge) {
    // After an uneven start (500 W and 90 W) the load falls by 300 W: split by weight, the
    // second would be told -60 W, charging from the first. It is held at zero instead, and
    // the first gives up the rest.
    TwoOnA site;
    site.servers.state->Publish(MakeReading(-300, 0, 0));
    int first = std::stoi(Slice(site.first.Poll(Phase::A, 500), 4, 5)[0]);
    auto second = site.second.Poll(Phase::A, 90);
    EXPECT_GE(90 + std::stoi(Slice(second, 4, 5)[0]), 0);
    EXPECT_EQ(Slice(second, 15, 16), Fields{"0"}); // nothing charging in bucket A
    EXPECT_EQ(first + std::stoi(Slice(second, 4, 5)[0]), -300);
}

TEST(Ct002ActiveTest, ABatteryAskingAgainOnTheSameReadingGetsZero) {
    TwoOnA site;
    site.servers.state->Publish(MakeReading(300, 0, 0));
    EXPECT_EQ(Slice(site.first.Poll(Phase::A, 0), 4, 8), (Fields{"150", "0", "0", "150"}));
    // It added its 150 W already: the same reading again would make it add them twice.
    auto again = site.first.Poll(Phase::A, 150);
    EXPECT_EQ(Slice(again, 4, 12), (Fields{"0", "0", "0", "0", "1", "0", "0", "0"}));
    EXPECT_EQ(Slice(again, 20, 21), Fields{"150"}); // hold: the target is what it reports
    // The other still gets its part, split as when the reading came.
    EXPECT_EQ(Slice(site.second.Poll(Phase::A, 0), 4, 8), (Fields{"150", "0", "0", "150"}));
    site.servers.state->Publish(MakeReading(20, 0, 0));
    EXPECT_NE(Slice(site.first.Poll(Phase::A, 150), 4, 5), Fields{"0"});
}

TEST(Ct002ActiveTest, WeightsShareTheGrid) {
    auto options = HalfGain();
    options->weights = {{{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x01}, 2}};
    TwoOnA site(options);
    site.servers.state->Publish(MakeReading(300, 0, 0));
    EXPECT_EQ(Slice(site.first.Poll(Phase::A, 0), 4, 5), Fields{"200"});
    EXPECT_EQ(Slice(site.second.Poll(Phase::A, 0), 4, 5), Fields{"100"});
}

TEST(Ct002ActiveTest, OnTheSumTheReadingIsSpreadOverThePhases) {
    test::MeterServers servers(ct002_frontend_plugin, Options(true, Ct002Mode::Active),
                               OnStale::Silent, true);
    Battery battery(servers, "aabbccddee01");
    servers.state->Publish(MakeReading(100, 200, 301));
    // Alone, it gets the whole total, spread so that the phases add up to it.
    auto reply = battery.Poll(Phase::Sum, 0);
    EXPECT_EQ(Slice(reply, 4, 12), (Fields{"201", "200", "200", "601", "0", "0", "0", "1"}));
    EXPECT_EQ(Slice(reply, 23, 24), Fields{"601"}); // discharging, bucket ABC
    servers.state->Publish(MakeReading(-100, -200, -300));
    reply = battery.Poll(Phase::Sum, 500);
    EXPECT_EQ(Slice(reply, 4, 12), (Fields{"-200", "-200", "-200", "-600", "0", "0", "0", "1"}));
    EXPECT_EQ(Slice(reply, 18, 19), Fields{"-100"}); // charging, bucket ABC
    servers.state->Publish(MakeReading(0, 0, -2));
    EXPECT_EQ(Slice(battery.Poll(Phase::Sum, 0), 4, 8), (Fields{"-1", "-1", "0", "-2"}));
}

TEST(Ct002ActiveTest, ADetectingBatteryGetsTheRealPhases) {
    TwoOnA site;
    site.servers.state->Publish(MakeReading(100, 200, 300));
    Battery third(site.servers, "aabbccddee03");
    auto reply = third.Poll(Phase::Detecting, 40);
    EXPECT_EQ(Slice(reply, 4, 12), (Fields{"100", "200", "300", "600", "2", "0", "0", "0"}));
    EXPECT_EQ(Slice(reply, 19, 20), Fields{"40"}); // discharging, bucket x
}

TEST(Ct002ActiveTest, ABatteryAloneGetsTheRelayReplyByteForByte) {
    test::MeterServers automatic(ct002_frontend_plugin, Options(), OnStale::Silent, true);
    test::MeterServers relay(ct002_frontend_plugin, Options(true, Ct002Mode::Relay),
                             OnStale::Silent, true);
    Battery one(automatic, "aabbccddee01"), other(relay, "aabbccddee01");
    for (auto* servers : {&automatic, &relay})
        servers->state->Publish(MakeReading(400.4, -120.6, 35));
    for (Phase phase : {Phase::A, Phase::A, Phase::C, Phase::Sum, Phase::Detecting}) {
        ASSERT_TRUE(one.Poll(phase, 120, "02b250a1b2c3", "HMJ-2"));
        ASSERT_TRUE(other.Poll(phase, 120, "02b250a1b2c3", "HMJ-2"));
        EXPECT_EQ(one.raw, other.raw);
    }
    EXPECT_EQ(Slice(test::CtBattery(automatic, "aabbccddee01").Poll(Phase::A, 120), 4, 12),
              (Fields{"400", "-121", "35", "314", "1", "0", "0", "0"}));
}

TEST(Ct002ActiveTest, ModeRelayAnswersTwoBatteriesAsARealMeter) {
    TwoOnA site(HalfGain(Ct002Mode::Relay));
    site.servers.state->Publish(MakeReading(200, 0, 0));
    auto first = site.first.Poll(Phase::A, 400);
    EXPECT_EQ(Slice(first, 4, 12), (Fields{"200", "0", "0", "200", "2", "0", "0", "0"}));
    EXPECT_EQ(Slice(first, 19, 24), (Fields{"0", "400", "0", "0", "0"}));
    // Relay mode hands out the same grid at every poll.
    EXPECT_EQ(Slice(site.first.Poll(Phase::A, 400), 4, 5), Fields{"200"});
}

TEST(Ct002ActiveTest, TheStatusPageShowsTheModeAndEachTarget) {
    TwoOnA site;
    site.servers.state->Publish(MakeReading(200, 0, 0));
    ASSERT_TRUE(site.first.Poll(Phase::A, 400));
    ASSERT_TRUE(site.second.Poll(Phase::A, 100));
    std::string text = site.servers.bundle->UdpStatusJson(std::chrono::steady_clock::now());
    JsonPtr root(json_loads(text.c_str(), 0, nullptr));
    json_t* meter = json_array_get(json_object_get(root.get(), "meters"), 0);
    EXPECT_STREQ(json_string_value(json_object_get(meter, "mode")), "active") << text;
    json_t* batteries = json_object_get(meter, "batteries");
    ASSERT_EQ(json_array_size(batteries), 2u) << text;
    EXPECT_EQ(json_integer_value(json_object_get(json_array_get(batteries, 0), "target_w")), 450);
    EXPECT_EQ(json_integer_value(json_object_get(json_array_get(batteries, 1), "target_w")), 250);
}

} // namespace
} // namespace meteremu
