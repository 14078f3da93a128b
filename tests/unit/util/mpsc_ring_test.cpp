// SPDX-License-Identifier: MIT
// The lock-free ring the client tracker's notes go through: in order, bounded (a push into a
// full ring fails at once), reusable round after round, and with several threads pushing at
// once every item is taken exactly once, each thread's in the order it pushed them.
#include "util/mpsc_ring.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

namespace meteremu {
namespace {

using namespace std::chrono_literals;

TEST(MpscRingTest, TakesInTheOrderPushed) {
    MpscRing<int, 8> ring;
    EXPECT_FALSE(ring.Take());
    for (int i = 1; i <= 5; ++i)
        ASSERT_TRUE(ring.Push(i * 10));
    for (int i = 1; i <= 5; ++i)
        EXPECT_EQ(ring.Take(), i * 10);
    EXPECT_FALSE(ring.Take());
}

TEST(MpscRingTest, AFullRingRefusesUntilAnItemIsTaken) {
    MpscRing<int, 4> ring;
    for (int i = 0; i < 4; ++i)
        ASSERT_TRUE(ring.Push(i));
    EXPECT_FALSE(ring.Push(99));
    EXPECT_FALSE(ring.Push(99));
    EXPECT_EQ(ring.Take(), 0);
    EXPECT_TRUE(ring.Push(4));
    EXPECT_FALSE(ring.Push(99));
    for (int i = 1; i <= 4; ++i)
        EXPECT_EQ(ring.Take(), i) << "the refused items were not kept";
    EXPECT_FALSE(ring.Take());
}

TEST(MpscRingTest, WrapsAroundRoundAfterRound) {
    MpscRing<std::uint32_t, 4> ring;
    std::uint32_t pushed = 0, taken = 0;
    // Batches of 1 to 4 items: the positions cross the end of the cells at every offset.
    for (int round = 0; round < 1000; ++round) {
        auto batch = static_cast<std::uint32_t>(round % 4 + 1);
        for (std::uint32_t i = 0; i < batch; ++i)
            ASSERT_TRUE(ring.Push(pushed++)) << round;
        if (batch == 4) {
            EXPECT_FALSE(ring.Push(0xffffffff)) << round;
        }
        for (std::uint32_t i = 0; i < batch; ++i)
            ASSERT_EQ(ring.Take(), taken++) << round;
        ASSERT_FALSE(ring.Take()) << round;
    }
    EXPECT_EQ(taken, 2500u);
}

/// An item that says who pushed it and its place among that producer's items.
struct Tagged {
    std::uint32_t producer = 0;
    std::uint32_t sequence = 0;
};

TEST(MpscRingTest, ThreeProducersAndOneConsumerTakeEveryItemExactlyOnce) {
    constexpr std::uint32_t kProducers = 3, kEach = 20000;
    MpscRing<Tagged, 64> ring; // small: the producers often find it full
    std::vector<std::thread> producers;
    std::atomic<bool> stop = false; // the consumer gave up: the test fails, but ends
    for (std::uint32_t p = 0; p < kProducers; ++p)
        producers.emplace_back([&, p] {
            for (std::uint32_t i = 0; i < kEach; ++i)
                while (!ring.Push({p, i})) {
                    if (stop) return;
                    std::this_thread::yield();
                }
        });
    std::vector<std::uint32_t> next(kProducers, 0); // each producer's next expected sequence
    std::uint64_t taken = 0, out_of_order = 0;
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (taken < std::uint64_t{kProducers} * kEach &&
           std::chrono::steady_clock::now() < deadline) {
        auto item = ring.Take();
        if (!item) {
            std::this_thread::yield();
            continue;
        }
        ++taken;
        if (item->producer >= kProducers || item->sequence != next[item->producer]++)
            ++out_of_order;
    }
    stop = true;
    for (std::thread& producer : producers)
        producer.join();
    EXPECT_EQ(taken, std::uint64_t{kProducers} * kEach);
    EXPECT_EQ(out_of_order, 0u) << "an item lost, taken twice or out of its producer's order";
    EXPECT_EQ(next, std::vector<std::uint32_t>(kProducers, kEach));
    EXPECT_FALSE(ring.Take()) << "nothing left over";
}

} // namespace
} // namespace meteremu
