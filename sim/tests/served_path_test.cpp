// SPDX-License-Identifier: MIT
// meteremu in the loop: the served path over a real MeterState and SampleGate.
#include "served_path.hpp"

#include <gtest/gtest.h>

namespace meteremu::sim {
namespace {

Sample At(double seconds, double grid_w) {
    return {FromSeconds(seconds), FromSeconds(seconds), grid_w, {grid_w, 0, 0}};
}

TEST(NewestPath, AnswersEveryPollWithTheNewestReadingUntilItIsStale) {
    NewestPath path(Random(1));
    EXPECT_FALSE(path.Poll(0, 0, FromSeconds(0.5)).reply); // nothing published yet
    path.Publish(At(1, 120), FromSeconds(1));
    PollOutcome first = path.Poll(0, 1, FromSeconds(1.2));
    PollOutcome again = path.Poll(0, 2, FromSeconds(1.7));
    ASSERT_TRUE(first.reply && again.reply);
    EXPECT_DOUBLE_EQ(first.reply->grid_w, 120);
    EXPECT_EQ(first.reply->sample, again.reply->sample); // the same sample twice
    EXPECT_GT(first.reply->at, FromSeconds(1.2));
    EXPECT_LT(first.reply->at, FromSeconds(1.2) + 1000);
    // stale_after = 10 s, on_stale = silent: no answer.
    EXPECT_FALSE(path.Poll(0, 3, FromSeconds(11.5)).reply);
}

TEST(NewestPath, ServesTheReadingAfterTheFrontendsSignalShaping) {
    SignalShaping shaping;
    shaping.offset[0] = -20; // the phase the simulator's total is on
    std::unique_ptr<ServedPath> path = MakeServedPath("hold", Random(1), shaping);
    path->Publish(At(1, 100), FromSeconds(1));
    PollOutcome reply = path->Poll(0, 1, FromSeconds(1.1));
    ASSERT_TRUE(reply.reply);
    EXPECT_DOUBLE_EQ(reply.reply->grid_w, 80);
}

TEST(GatedPath, HoldsARepeatUntilTheNextSample) {
    std::unique_ptr<ServedPath> path = MakeServedPath("hold", Random(1));
    ASSERT_TRUE(path);
    path->Publish(At(1, 100), FromSeconds(1));
    ASSERT_TRUE(path->Poll(0, 1, FromSeconds(1.1)).reply);
    PollOutcome held = path->Poll(0, 2, FromSeconds(1.5));
    EXPECT_FALSE(held.reply);
    EXPECT_TRUE(held.held);
    EXPECT_TRUE(path->Expire(FromSeconds(1.9)).empty());
    std::vector<Served> released = path->Publish(At(2, -40), FromSeconds(2));
    ASSERT_EQ(released.size(), 1u);
    EXPECT_EQ(released[0].poll, 2u);
    EXPECT_DOUBLE_EQ(released[0].grid_w, -40);
    EXPECT_GE(released[0].at, FromSeconds(2));
}

TEST(GatedPath, AHoldThatRunsOutAnswersWithTheNewest) {
    std::unique_ptr<ServedPath> path = MakeServedPath("hold", Random(1));
    path->Publish(At(1, 100), FromSeconds(1));
    ASSERT_TRUE(path->Poll(0, 1, FromSeconds(1.1)).reply);
    EXPECT_TRUE(path->Poll(0, 2, FromSeconds(1.5)).held);
    EXPECT_TRUE(path->Expire(FromSeconds(3.4)).empty()); // max_hold 2 s: due at 3.5 s
    std::vector<Served> expired = path->Expire(FromSeconds(3.6));
    ASSERT_EQ(expired.size(), 1u);
    EXPECT_DOUBLE_EQ(expired[0].grid_w, 100);
    EXPECT_GE(expired[0].at, FromSeconds(3.5));
    EXPECT_LT(expired[0].at, FromSeconds(3.51));
}

TEST(GatedPath, DropLeavesARepeatUnansweredAndServesEachClientOnce) {
    std::unique_ptr<ServedPath> path = MakeServedPath("drop", Random(1));
    path->Publish(At(1, 100), FromSeconds(1));
    EXPECT_TRUE(path->Poll(0, 1, FromSeconds(1.1)).reply);
    EXPECT_TRUE(path->Poll(1, 2, FromSeconds(1.2)).reply); // another battery: its own
    PollOutcome repeat = path->Poll(0, 3, FromSeconds(1.5));
    EXPECT_FALSE(repeat.reply);
    EXPECT_FALSE(repeat.held);
    path->Publish(At(2, 90), FromSeconds(2));
    EXPECT_TRUE(path->Poll(0, 4, FromSeconds(2.1)).reply);
}

TEST(GatedPath, APollWhileHeldReplacesTheHeldOne) {
    std::unique_ptr<ServedPath> path = MakeServedPath("hold", Random(1));
    path->Publish(At(1, 100), FromSeconds(1));
    ASSERT_TRUE(path->Poll(0, 1, FromSeconds(1.1)).reply);
    EXPECT_TRUE(path->Poll(0, 2, FromSeconds(1.3)).held);
    EXPECT_TRUE(path->Poll(0, 3, FromSeconds(1.8)).held);
    std::vector<Served> released = path->Publish(At(2, 50), FromSeconds(2));
    ASSERT_EQ(released.size(), 1u);
    EXPECT_EQ(released[0].poll, 3u);
}

TEST(GatedPath, RepeatPolicyServesLikeMain) {
    std::unique_ptr<ServedPath> path = MakeServedPath("repeat", Random(1));
    path->Publish(At(1, 100), FromSeconds(1));
    PollOutcome first = path->Poll(0, 1, FromSeconds(1.1));
    PollOutcome again = path->Poll(0, 2, FromSeconds(1.5));
    ASSERT_TRUE(first.reply && again.reply);
    EXPECT_EQ(first.reply->sample, again.reply->sample);
    EXPECT_FALSE(MakeServedPath("nonesuch", Random(1)));
}

} // namespace
} // namespace meteremu::sim
