// SPDX-License-Identifier: MIT
// The batteries one emulated CT keeps: counted and summed per bucket, forgotten after twice
// their own poll interval, and never more than the table holds.
#include "frontends/ct002/battery_table.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <string>

namespace meteremu::ct002 {
namespace {

using namespace std::chrono_literals;

const SteadyTime kStart{std::chrono::hours(1)};

Request Poll(std::string_view mac, Phase phase, std::int32_t power, bool participates = true) {
    return Request{"HMG-50", mac, "HME-4", "000000000000", phase, power, participates};
}

TEST(BatteryTableTest, CountsAndSumsByBucketAndSign) {
    BatteryTable table;
    table.Record(Poll("aaaaaaaaaaa1", Phase::A, 300), kStart);
    table.Record(Poll("aaaaaaaaaaa2", Phase::A, -200), kStart);
    table.Record(Poll("aaaaaaaaaaa3", Phase::C, 150), kStart);
    table.Record(Poll("aaaaaaaaaaa4", Phase::Sum, -50), kStart);
    table.Record(Poll("aaaaaaaaaaa5", Phase::Detecting, 20), kStart);
    table.Record(Poll("aaaaaaaaaaa6", Phase::B, 999, false), kStart); // not counted
    BucketTotals totals = table.Totals(kStart);
    EXPECT_EQ(totals.counts, (std::array<std::int32_t, 5>{1, 2, 0, 1, 1}));
    EXPECT_EQ(totals.charging, (std::array<std::int32_t, 5>{0, -200, 0, 0, -50}));
    EXPECT_EQ(totals.discharging, (std::array<std::int32_t, 5>{20, 300, 0, 150, 0}));
    EXPECT_EQ(table.Live(kStart).size(), 6u);
}

TEST(BatteryTableTest, ABatteryIsKeyedByItsMacInEitherCase) {
    BatteryTable table;
    table.Record(Poll("aabbccddeeff", Phase::A, 100), kStart);
    table.Record(Poll("AABBCCDDEEFF", Phase::B, 120), kStart + 1s);
    auto live = table.Live(kStart + 1s);
    ASSERT_EQ(live.size(), 1u);
    EXPECT_EQ(live[0].phase, Phase::B);
    EXPECT_EQ(live[0].power, 120);
    EXPECT_EQ(live[0].first_seen, kStart);
}

TEST(BatteryTableTest, ForgottenAfterTwiceItsOwnInterval) {
    BatteryTable table;
    for (int i = 0; i < 5; ++i)
        table.Record(Poll("aaaaaaaaaaa1", Phase::A, 100), kStart + i * 4s);
    SteadyTime last = kStart + 16s;
    auto live = table.Live(last);
    ASSERT_EQ(live.size(), 1u);
    EXPECT_NEAR(live[0].poll_interval.count(), 4.0, 1e-9);
    EXPECT_EQ(table.Totals(last + 8s).counts[1], 1);
    EXPECT_EQ(table.Totals(last + 8s + 1ms).counts[1], 0);
    EXPECT_TRUE(table.Live(last + 9s).empty());
}

TEST(BatteryTableTest, LifeIsBoundedAndLongUntilTheCadenceIsKnown) {
    Battery battery;
    EXPECT_EQ(BatteryTable::TimeToLive(battery), Seconds(30));
    battery.poll_interval = 450ms;
    EXPECT_EQ(BatteryTable::TimeToLive(battery), Seconds(5));
    battery.poll_interval = 3.1s;
    EXPECT_NEAR(BatteryTable::TimeToLive(battery).count(), 6.2, 1e-9);
    battery.poll_interval = 100s;
    EXPECT_EQ(BatteryTable::TimeToLive(battery), Seconds(60));
}

TEST(BatteryTableTest, ABatteryBackAfterItWasForgottenStartsAgain) {
    BatteryTable table;
    table.Record(Poll("aaaaaaaaaaa1", Phase::A, 100), kStart);
    table.Record(Poll("aaaaaaaaaaa1", Phase::A, 100), kStart + 1s);
    table.Record(Poll("aaaaaaaaaaa1", Phase::A, 100), kStart + 60s);
    auto live = table.Live(kStart + 60s);
    ASSERT_EQ(live.size(), 1u);
    EXPECT_EQ(live[0].first_seen, kStart + 60s);
    EXPECT_EQ(live[0].poll_interval, Seconds(0));
}

TEST(BatteryTableTest, AFullTableMakesRoomForTheNewest) {
    BatteryTable table;
    auto mac = [](std::size_t i) {
        std::string text = "00000000000" + std::string(1, "0123456789abcdef"[i % 16]);
        return i < 16 ? text : "0000000000f" + std::string(1, "0123456789abcdef"[i % 16]);
    };
    for (std::size_t i = 0; i < BatteryTable::kCapacity; ++i)
        table.Record(Poll(mac(i), Phase::A, 10), kStart + i * 10ms);
    std::string newest = mac(16);
    table.Record(Poll(newest, Phase::B, 10), kStart + 1s);
    auto live = table.Live(kStart + 1s);
    ASSERT_EQ(live.size(), BatteryTable::kCapacity);
    EXPECT_EQ(live.back().mac, newest);
    // The one heard from longest ago made room.
    EXPECT_EQ(std::ranges::count(live, MacKey(mac(0)), &Battery::key), 0);
}

TEST(BatteryTableTest, MacKeyReadsTwelveHexDigitsOnly) {
    EXPECT_EQ(MacKey("02b250A1B2C3"), 0x02b250a1b2c3u);
    EXPECT_EQ(MacKey("02b250a1b2c"), 0u);
    EXPECT_EQ(MacKey("02b250a1b2cg"), 0u);
}

TEST(BatteryTableTest, SumsSaturateInsteadOfWrapping) {
    BatteryTable table;
    table.Record(Poll("aaaaaaaaaaa1", Phase::A, 2'000'000'000), kStart);
    table.Record(Poll("aaaaaaaaaaa2", Phase::A, 2'000'000'000), kStart);
    EXPECT_EQ(table.Totals(kStart).discharging[1], std::numeric_limits<std::int32_t>::max());
}

} // namespace
} // namespace meteremu::ct002
