// SPDX-License-Identifier: MIT
#include "core/meter_state.hpp"
#include "core/sample_gate.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace meteremu {
namespace {

using namespace std::chrono_literals;

const SteadyTime t0 = SteadyTime{} + 1000s;
constexpr ClientKey kBattery = 1;
constexpr ClientKey kOther = 2;

TEST(SampleGateTest, PolicyNamesRoundTrip) {
    for (RepeatPolicy policy : {RepeatPolicy::Repeat, RepeatPolicy::Hold, RepeatPolicy::Drop})
        EXPECT_EQ(ParseRepeatPolicy(RepeatPolicyName(policy)), policy);
    EXPECT_EQ(ParseRepeatPolicy("Hold"), std::nullopt);
    EXPECT_EQ(ParseRepeatPolicy(""), std::nullopt);
}

TEST(SampleGateTest, FirstPollOfAClientIsServedWhateverThePolicy) {
    for (RepeatPolicy policy : {RepeatPolicy::Repeat, RepeatPolicy::Hold, RepeatPolicy::Drop}) {
        SampleGate gate({policy, 2s});
        EXPECT_EQ(gate.Admit(kBattery, 7, t0).verdict, GateVerdict::Serve);
        EXPECT_EQ(gate.Admit(kOther, 7, t0).verdict, GateVerdict::Serve);
    }
}

TEST(SampleGateTest, RepeatServesTheSameSampleAgainAndCountsIt) {
    SampleGate gate({RepeatPolicy::Repeat, 2s});
    EXPECT_EQ(gate.Admit(kBattery, 1, t0).verdict, GateVerdict::Serve);
    GateDecision again = gate.Admit(kBattery, 1, t0 + 250ms);
    EXPECT_EQ(again.verdict, GateVerdict::Repeat);
    EXPECT_TRUE(again.Answered());
    EXPECT_EQ(gate.Admit(kBattery, 2, t0 + 500ms).verdict, GateVerdict::Serve);
    GateCounters counters = gate.Counters();
    EXPECT_EQ(counters.served_new, 2u);
    EXPECT_EQ(counters.repeated, 1u);
}

TEST(SampleGateTest, DropAnswersOnlyNewSamples) {
    SampleGate gate({RepeatPolicy::Drop, 2s});
    gate.Admit(kBattery, 1, t0);
    GateDecision dropped = gate.Admit(kBattery, 1, t0 + 250ms);
    EXPECT_EQ(dropped.verdict, GateVerdict::Drop);
    EXPECT_FALSE(dropped.Answered());
    EXPECT_EQ(gate.Admit(kBattery, 1, t0 + 10s).verdict, GateVerdict::Drop); // no time limit
    EXPECT_EQ(gate.Admit(kBattery, 2, t0 + 11s).verdict, GateVerdict::Serve);
    EXPECT_EQ(gate.Counters().dropped, 2u);
}

TEST(SampleGateTest, HoldWaitsForTheNextSampleWithADeadline) {
    SampleGate gate({RepeatPolicy::Hold, 2s});
    gate.Admit(kBattery, 1, t0);
    GateDecision held = gate.Admit(kBattery, 1, t0 + 300ms);
    EXPECT_EQ(held.verdict, GateVerdict::Hold);
    EXPECT_EQ(held.deadline, t0 + 2300ms);
    EXPECT_EQ(gate.Recheck(kBattery, 2, t0 + 900ms).verdict, GateVerdict::Serve);
    GateCounters counters = gate.Counters();
    EXPECT_EQ(counters.held, 1u);
    EXPECT_EQ(counters.served_new, 2u);
}

TEST(SampleGateTest, HoldAnswersWithTheNewestOnceMaxHoldPassed) {
    SampleGate gate({RepeatPolicy::Hold, 2s});
    gate.Admit(kBattery, 1, t0);
    EXPECT_EQ(gate.Admit(kBattery, 1, t0 + 1s).verdict, GateVerdict::Hold);
    EXPECT_EQ(gate.Recheck(kBattery, 1, t0 + 2999ms).verdict, GateVerdict::Hold);
    EXPECT_EQ(gate.Recheck(kBattery, 1, t0 + 3s).verdict, GateVerdict::Repeat);
    // A new hold starts with the next poll: a stalled source answers once per max_hold.
    GateDecision next = gate.Admit(kBattery, 1, t0 + 3100ms);
    EXPECT_EQ(next.verdict, GateVerdict::Hold);
    EXPECT_EQ(next.deadline, t0 + 5100ms);
    GateCounters counters = gate.Counters();
    EXPECT_EQ(counters.held, 2u);
    EXPECT_EQ(counters.hold_expired, 1u);
}

TEST(SampleGateTest, HoldDeadlineCountsFromTheFirstUnansweredPoll) {
    // A client polling 4×/s while held (its transport keeps only the newest poll) is answered
    // max_hold after its first unanswered poll, not never.
    SampleGate gate({RepeatPolicy::Hold, 1s});
    gate.Admit(kBattery, 1, t0);
    EXPECT_EQ(gate.Admit(kBattery, 1, t0 + 250ms).deadline, t0 + 1250ms);
    EXPECT_EQ(gate.Admit(kBattery, 1, t0 + 500ms).deadline, t0 + 1250ms);
    EXPECT_EQ(gate.Admit(kBattery, 1, t0 + 1250ms).verdict, GateVerdict::Repeat);
}

TEST(SampleGateTest, ClientsAreGatedIndependently) {
    SampleGate gate({RepeatPolicy::Drop, 2s});
    gate.Admit(kBattery, 1, t0);
    EXPECT_EQ(gate.Admit(kOther, 1, t0).verdict, GateVerdict::Serve);
    EXPECT_EQ(gate.Admit(kBattery, 1, t0).verdict, GateVerdict::Drop);
    EXPECT_EQ(gate.Admit(kOther, 1, t0).verdict, GateVerdict::Drop);
}

TEST(SampleGateTest, AnOlderSampleIsNoNews) {
    SampleGate gate({RepeatPolicy::Drop, 2s});
    gate.Admit(kBattery, 5, t0);
    EXPECT_EQ(gate.Admit(kBattery, 4, t0).verdict, GateVerdict::Drop);
}

TEST(SampleGateTest, AFullGateForgetsTheClientPolledLongestAgo) {
    SampleGate gate({RepeatPolicy::Drop, 2s}, 2);
    gate.Admit(1, 1, t0);
    gate.Admit(2, 1, t0 + 1s);
    gate.Admit(1, 1, t0 + 2s); // client 2 is now the longest silent
    gate.Admit(3, 1, t0 + 3s); // evicts 2
    EXPECT_EQ(gate.Clients(), 2u);
    EXPECT_EQ(gate.Counters().evicted, 1u);
    EXPECT_EQ(gate.Admit(1, 1, t0 + 4s).verdict, GateVerdict::Drop);  // remembered
    EXPECT_EQ(gate.Admit(2, 1, t0 + 4s).verdict, GateVerdict::Serve); // forgotten: new
}

TEST(SampleGateTest, APolicyChangeKeepsWhatEachClientWasServed) {
    SampleGate gate({RepeatPolicy::Repeat, 2s});
    gate.Admit(kBattery, 3, t0);
    gate.SetPolicy({RepeatPolicy::Drop, 2s});
    EXPECT_EQ(gate.Policy().repeat, RepeatPolicy::Drop);
    EXPECT_EQ(gate.Admit(kBattery, 3, t0 + 1s).verdict, GateVerdict::Drop);
}

TEST(SampleGateTest, ClientKeysDifferByAddressAndTransport) {
    const unsigned char a[4] = {192, 168, 1, 10};
    const unsigned char b[4] = {192, 168, 1, 11};
    EXPECT_EQ(ClientKeyOf(GateTransport::Udp, a, 4), ClientKeyOf(GateTransport::Udp, a, 4));
    EXPECT_NE(ClientKeyOf(GateTransport::Udp, a, 4), ClientKeyOf(GateTransport::Udp, b, 4));
    EXPECT_NE(ClientKeyOf(GateTransport::Udp, a, 4), ClientKeyOf(GateTransport::Http, a, 4));
}

TEST(SampleGateTest, ConcurrentPollsCountEveryPollOnce) {
    SampleGate gate({RepeatPolicy::Repeat, 2s}, 16);
    constexpr int kThreads = 4, kPolls = 2000;
    {
        std::vector<std::jthread> threads;
        for (int t = 0; t < kThreads; ++t)
            threads.emplace_back([&gate, t] {
                for (int i = 0; i < kPolls; ++i)
                    gate.Admit(static_cast<ClientKey>(t * 100 + i % 32), i / 100, t0);
            });
    }
    GateCounters counters = gate.Counters();
    EXPECT_EQ(counters.served_new + counters.repeated, std::uint64_t{kThreads * kPolls});
    EXPECT_LE(gate.Clients(), 16u);
}

// The sample number the gate compares moves with new readings only: not with a reload, nor
// with the reading turning stale.
TEST(SampleGateTest, MeterStateSampleMovesOnlyWithANewReading) {
    MeterState state({3, Phase::A}, {10s, OnStale::Last});
    Reading reading;
    reading.received_at = t0;
    EXPECT_EQ(state.Stamp(t0).sample, 0u);
    state.Publish(reading);
    MeterStamp first = state.Stamp(t0);
    EXPECT_EQ(first.sample, 1u);
    state.Reconfigure({1, Phase::B}, {10s, OnStale::Last});
    MeterStamp reloaded = state.Stamp(t0);
    EXPECT_NE(reloaded.revision, first.revision);
    EXPECT_EQ(reloaded.sample, 1u);
    EXPECT_EQ(state.Stamp(t0 + 11s).freshness, Freshness::Stale);
    EXPECT_EQ(state.Stamp(t0 + 11s).sample, 1u);
    EXPECT_EQ(state.View(t0 + 11s).sample, 1u);
    state.Publish(reading);
    EXPECT_EQ(state.Stamp(t0).sample, 2u);
    EXPECT_EQ(state.View(t0).sample, 2u);
}

} // namespace
} // namespace meteremu
