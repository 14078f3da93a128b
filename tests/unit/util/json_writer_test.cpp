// SPDX-License-Identifier: MIT
#include "util/json_writer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace meteremu::json {
namespace {

std::string Fixed(double value, int decimals) {
    std::string out;
    AppendFixed(out, value, decimals);
    return out;
}

TEST(JsonWriterTest, FixedKeepsEveryDecimal) {
    EXPECT_EQ(Fixed(1, 2), "1.00");
    EXPECT_EQ(Fixed(0, 1), "0.0");
    EXPECT_EQ(Fixed(100, 1), "100.0");
    EXPECT_EQ(Fixed(6.112, 3), "6.112");
    EXPECT_EQ(Fixed(1387.097, 1), "1387.1");
    EXPECT_EQ(Fixed(-271.656, 1), "-271.7");
}

TEST(JsonWriterTest, NegativeZeroHasNoSign) {
    EXPECT_EQ(Fixed(-0.0, 1), "0.0");
    EXPECT_EQ(Fixed(-0.04, 1), "0.0");
    EXPECT_EQ(Fixed(-0.0004, 3), "0.000");
    EXPECT_EQ(Fixed(-0.05001, 1), "-0.1");
}

TEST(JsonWriterTest, LargeValuesStayInFixedNotation) {
    EXPECT_EQ(Fixed(18999526.477, 2), "18999526.48");
    EXPECT_EQ(Fixed(1e15, 2), "1000000000000000.00");
}

TEST(JsonWriterTest, NonFiniteBecomesNull) {
    EXPECT_EQ(Fixed(std::nan(""), 1), "null");
    EXPECT_EQ(Fixed(std::numeric_limits<double>::infinity(), 1), "null");
}

TEST(JsonWriterTest, StringsAreEscaped) {
    std::string out;
    AppendString(out, "a\"b\\c\n\x01");
    EXPECT_EQ(out, R"("a\"b\\c\n\u0001")");
}

TEST(JsonWriterTest, IntegersAndNulls) {
    std::string out;
    AppendInteger(out, -42);
    out += ',';
    AppendStringOrNull(out, std::nullopt);
    out += ',';
    AppendFixedOrNull(out, std::nullopt, 2);
    out += ',';
    AppendBool(out, true);
    EXPECT_EQ(out, "-42,null,null,true");
}

} // namespace
} // namespace meteremu::json
