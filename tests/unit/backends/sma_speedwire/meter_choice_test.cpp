// SPDX-License-Identifier: MIT
#include "backends/sma_speedwire/meter_choice.hpp"

#include <gtest/gtest.h>

namespace meteremu::sma {
namespace {

TEST(MeterChoiceTest, WithoutSerialTheFirstMeterHeardIsUsedAndOthersIgnoredOnce) {
    MeterChoice choice(std::nullopt);
    EXPECT_FALSE(choice.Chosen());
    EXPECT_EQ(choice.Judge(111), Verdict::First);
    EXPECT_EQ(choice.Chosen(), 111u);
    EXPECT_EQ(choice.Judge(222), Verdict::IgnoreFirst);
    EXPECT_EQ(choice.Judge(111), Verdict::Use);
    EXPECT_EQ(choice.Judge(222), Verdict::Ignore);
    EXPECT_EQ(choice.Judge(333), Verdict::IgnoreFirst);
}

TEST(MeterChoiceTest, WithSerialOnlyThatMeterIsUsed) {
    MeterChoice choice(222u);
    EXPECT_EQ(choice.Chosen(), 222u);
    EXPECT_EQ(choice.Judge(111), Verdict::IgnoreFirst);
    EXPECT_EQ(choice.Judge(111), Verdict::Ignore);
    EXPECT_EQ(choice.Judge(222), Verdict::First);
    EXPECT_EQ(choice.Judge(222), Verdict::Use);
}

TEST(MeterChoiceTest, ForgedSerialsDoNotGrowWithoutBound) {
    MeterChoice choice(1u);
    int logged = 0;
    for (std::uint32_t serial = 2; serial < 10'000; ++serial)
        logged += choice.Judge(serial) == Verdict::IgnoreFirst;
    EXPECT_LE(logged, 64);
    EXPECT_EQ(choice.Judge(1), Verdict::First);
}

} // namespace
} // namespace meteremu::sma
