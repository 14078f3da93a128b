// SPDX-License-Identifier: MIT
// The UDP reply budget of all senders together, on a clock the test moves.
#include "net/reply_byte_budget.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

using namespace std::chrono_literals;

const SteadyTime kStart{std::chrono::hours(100)};
constexpr std::size_t kRate = 256 * 1024;
constexpr std::size_t kComponents = 3300; ///< a Shelly.GetComponents reply
constexpr std::size_t kPoll = 505;        ///< an EM.GetStatus reply
constexpr std::size_t kBig = 4096;        ///< divides the rate: exact counts

/// How many replies of `bytes` go out of `tries` at `now`.
int Spent(ReplyByteBudget& budget, std::size_t bytes, bool priority, int tries, SteadyTime now) {
    int spent = 0;
    for (int i = 0; i < tries; ++i)
        spent += budget.Spend(bytes, priority, now);
    return spent;
}

TEST(ReplyByteBudgetTest, OtherRepliesSpendHalfTheBucketThenTheRefill) {
    ReplyByteBudget budget(kRate);
    EXPECT_EQ(budget.Burst(), double(kRate));
    EXPECT_EQ(Spent(budget, kBig, false, 1000, kStart), 32); // half of 256 KiB
    EXPECT_EQ(Spent(budget, kBig, false, 1000, kStart), 0);
    // A quarter second refills a quarter of the rate.
    EXPECT_EQ(Spent(budget, kBig, false, 1000, kStart + 250ms), 16);
    EXPECT_EQ(Spent(budget, kBig, false, 1000, kStart + 250ms), 0);
}

TEST(ReplyByteBudgetTest, NeverMoreThanTheBucketAfterAPause) {
    ReplyByteBudget budget(kRate);
    EXPECT_EQ(Spent(budget, kBig, false, 1000, kStart), 32);
    EXPECT_EQ(Spent(budget, kBig, false, 1000, kStart + 1h), 32);
}

TEST(ReplyByteBudgetTest, PollsArePaidFromTheReserveDuringAFlood) {
    ReplyByteBudget budget(kRate);
    SteadyTime now = kStart;
    int polls = 0;
    int flood = 0;
    // Ten seconds of a flood far above the rate, and a battery polling every 0.4 s.
    for (int ms = 0; ms < 10000; ms += 10) {
        now = kStart + std::chrono::milliseconds(ms);
        flood += Spent(budget, kComponents, false, 100, now);
        if (ms % 400 == 0) polls += budget.Spend(kPoll, true, now);
    }
    EXPECT_EQ(polls, 25);
    // The flood got the rest of the budget and no more.
    double sent = double(flood) * kComponents + polls * kPoll;
    EXPECT_LE(sent, kRate / 2 + 10.0 * kRate);
    EXPECT_GE(sent, 9.0 * kRate);
}

TEST(ReplyByteBudgetTest, PrioritySpendsTheWholeBucketButNoMore) {
    ReplyByteBudget budget(kRate);
    EXPECT_EQ(Spent(budget, kPoll, true, 10000, kStart), int(kRate / kPoll));
    EXPECT_EQ(Spent(budget, kPoll, true, 10, kStart), 0);
    EXPECT_EQ(Spent(budget, kPoll, false, 10, kStart + 100ms), 0) << "the reserve comes first";
    EXPECT_EQ(Spent(budget, kPoll, true, 10, kStart + 100ms), 10);
}

TEST(ReplyByteBudgetTest, ASmallRateStillPassesTheLargestDatagram) {
    ReplyByteBudget budget(1000);
    EXPECT_EQ(budget.Burst(), ReplyByteBudget::kMinBurst);
    EXPECT_TRUE(budget.Spend(65507, false, kStart));
    EXPECT_FALSE(budget.Spend(1, false, kStart));
    EXPECT_FALSE(budget.Spend(1000, false, kStart + 900ms));
    EXPECT_TRUE(budget.Spend(1000, false, kStart + 1100ms));
}

TEST(ReplyByteBudgetTest, ZeroIsNoLimit) {
    ReplyByteBudget budget(0);
    EXPECT_EQ(Spent(budget, 65507, false, 10000, kStart), 10000);
}

} // namespace
} // namespace meteremu
