// SPDX-License-Identifier: MIT
#include "core/meter_state.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace meteremu {
namespace {

using namespace std::chrono_literals;

const SteadyTime kStart{std::chrono::hours(1000)};

Reading ReadingAt(SteadyTime received, double watts) {
    Reading reading;
    reading[Phase::A] = {230, watts / 230, watts, watts, 1.0, 50, 5000, 700};
    reading.received_at = received;
    return reading;
}

MeterState State(OnStale mode, SiteLayout layout = {}) {
    return MeterState(layout, FreshnessPolicy{Seconds(10.0), mode});
}

TEST(MeterStateTest, NothingPublishedIsMissing) {
    for (OnStale mode : {OnStale::Silent, OnStale::Last}) {
        auto view = State(mode).View(kStart);
        EXPECT_EQ(view.freshness, Freshness::Missing);
        EXPECT_EQ(view.reading, nullptr);
    }
    auto zero = State(OnStale::Zero).View(kStart);
    EXPECT_EQ(zero.freshness, Freshness::Missing);
    ASSERT_NE(zero.reading, nullptr);
    EXPECT_EQ(zero.reading->TotalActPower(), 0);
    EXPECT_EQ(zero.reading->TotalImportWh(), 0);
}

TEST(MeterStateTest, FreshUntilStaleAfterThenPerPolicy) {
    for (OnStale mode : {OnStale::Silent, OnStale::Zero, OnStale::Last}) {
        SCOPED_TRACE(std::string(OnStaleName(mode)));
        MeterState state = State(mode);
        state.Publish(ReadingAt(kStart, 1500));
        auto fresh = state.View(kStart + 10s);
        EXPECT_EQ(fresh.freshness, Freshness::Fresh);
        ASSERT_NE(fresh.reading, nullptr);
        EXPECT_EQ(fresh.reading->TotalActPower(), 1500);

        auto stale = state.View(kStart + 10s + 1ms);
        EXPECT_EQ(stale.freshness, Freshness::Stale);
        if (mode == OnStale::Silent) {
            EXPECT_EQ(stale.reading, nullptr);
            continue;
        }
        ASSERT_NE(stale.reading, nullptr);
        EXPECT_EQ(stale.reading->TotalActPower(), mode == OnStale::Zero ? 0 : 1500);
        // Counters and voltage are the last measured ones in both modes.
        EXPECT_EQ(stale.reading->TotalImportWh(), 5000);
        EXPECT_EQ(stale.reading->phases[0].voltage, 230);
    }
}

TEST(MeterStateTest, NewReadingMakesItFreshAgain) {
    MeterState state = State(OnStale::Silent);
    state.Publish(ReadingAt(kStart, 100));
    EXPECT_EQ(state.View(kStart + 20s).reading, nullptr);
    state.Publish(ReadingAt(kStart + 19s, -200));
    auto view = state.View(kStart + 20s);
    EXPECT_EQ(view.freshness, Freshness::Fresh);
    EXPECT_EQ(view.reading->TotalActPower(), -200);
    EXPECT_EQ(view.generation, 2u);
}

TEST(MeterStateTest, PublishAppliesTheSiteLayout) {
    MeterState state = State(OnStale::Silent, {1, Phase::C});
    state.Publish(ReadingAt(kStart, 700));
    auto view = state.View(kStart);
    EXPECT_EQ(view.reading->phases[2].act_power, 700);
    EXPECT_EQ(view.reading->phases[0].act_power, 0);
}

TEST(MeterStateTest, ReadersSeeWholeReadingsWhileAPublisherRuns) {
    MeterState state = State(OnStale::Last);
    std::atomic<bool> done{false};
    std::atomic<int> torn{0};
    std::vector<std::thread> readers;
    for (int i = 0; i < 4; ++i)
        readers.emplace_back([&] {
            while (!done) {
                auto view = state.View(kStart);
                // Every published reading carries the same power on phases A and B.
                if (view.reading &&
                    view.reading->phases[0].act_power != view.reading->phases[1].act_power)
                    ++torn;
            }
        });
    for (int i = 0; i < 20000; ++i) {
        Reading reading = ReadingAt(kStart, i);
        reading.phases[1].act_power = i;
        state.Publish(reading);
    }
    done = true;
    for (auto& reader : readers)
        reader.join();
    EXPECT_EQ(torn, 0);
    EXPECT_EQ(state.View(kStart).generation, 20000u);
}

TEST(MeterStateTest, SubscribersHearOfEveryPublishUntilTheyLeave) {
    MeterState state(SiteLayout{}, FreshnessPolicy{});
    int first = 0, second = 0;
    std::uint64_t seen_generation = 0;
    ReadingSubscription a = state.Subscribe([&] {
        ++first;
        seen_generation = state.View(kStart).generation; // the new reading is visible
    });
    {
        ReadingSubscription b = state.Subscribe([&] { ++second; });
        state.Publish(ReadingAt(kStart, 0));
    }
    state.Publish(ReadingAt(kStart, 1));
    EXPECT_EQ(first, 2);
    EXPECT_EQ(second, 1);
    EXPECT_EQ(seen_generation, 2u);
    ReadingSubscription moved = std::move(a);
    a.Reset(); // moved-from: nothing to end
    state.Publish(ReadingAt(kStart, 2));
    EXPECT_EQ(first, 3);
    moved.Reset();
    state.Publish(ReadingAt(kStart, 3));
    EXPECT_EQ(first, 3);
}

TEST(MeterStateTest, ReconfigureKeepsTheReadingUnderTheNewLayoutAndPolicy) {
    MeterState state = State(OnStale::Silent);
    Reading reading = ReadingAt(kStart, 700);
    reading[Phase::B].act_power = 300;
    state.Publish(reading);
    EXPECT_EQ(state.View(kStart + 11s).reading, nullptr);

    state.Reconfigure({1, Phase::B}, FreshnessPolicy{Seconds(30.0), OnStale::Zero});
    auto fresh = state.View(kStart + 11s);
    EXPECT_EQ(fresh.freshness, Freshness::Fresh);
    EXPECT_EQ(fresh.generation, 2u) << "a new generation, so cached renderings are dropped";
    EXPECT_EQ(fresh.reading->phases[1].act_power, 1000);
    EXPECT_EQ(fresh.reading->phases[0].act_power, 0);
    auto stale = state.View(kStart + 31s);
    ASSERT_NE(stale.reading, nullptr);
    EXPECT_EQ(stale.reading->TotalActPower(), 0);
    EXPECT_EQ(state.Policy().on_stale, OnStale::Zero);
    EXPECT_EQ(state.Layout().phase, Phase::B);

    // Readings published after the reload use the new layout too.
    state.Publish(ReadingAt(kStart + 40s, 50));
    EXPECT_EQ(state.View(kStart + 40s).reading->phases[1].act_power, 50);
}

TEST(MeterStateTest, OnStaleNamesRoundTrip) {
    for (OnStale mode : {OnStale::Silent, OnStale::Zero, OnStale::Last})
        EXPECT_EQ(ParseOnStale(OnStaleName(mode)), mode);
    EXPECT_EQ(ParseOnStale("never"), std::nullopt);
}

} // namespace
} // namespace meteremu
