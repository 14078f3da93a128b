// SPDX-License-Identifier: MIT
// The MAC address spellings a configuration may use, and the one every meter reports.
#include "core/mac_address.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

TEST(MacAddressTest, ParseAcceptsCommonSpellings) {
    MacAddress expected{0xa0, 0xb1, 0xc2, 0xd3, 0xe4, 0xf5};
    for (const char* text :
         {"A0B1C2D3E4F5", "a0b1c2d3e4f5", "A0:B1:C2:D3:E4:F5", "a0-b1-c2-d3-e4-f5"})
        EXPECT_EQ(ParseMacAddress(text), expected) << text;
    for (const char* text : {"", "A0B1C2D3E4", "A0B1C2D3E4F5A6", "A0B1C2D3E4FG", ":A0B1C2D3E4F5",
                             "A0::B1C2D3E4F5", "A0B:1C2D3E4F5"})
        EXPECT_EQ(ParseMacAddress(text), std::nullopt) << text;
}

TEST(MacAddressTest, HexIsTwelveDigitsInTheCaseAsked) {
    MacAddress mac{0xfc, 0xe8, 0xc0, 0xdb, 0xa9, 0x00};
    EXPECT_EQ(MacHex(mac, true), "FCE8C0DBA900");
    EXPECT_EQ(MacHex(mac, false), "fce8c0dba900");
}

} // namespace
} // namespace meteremu
