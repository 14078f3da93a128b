// SPDX-License-Identifier: MIT
#include "frontends/shelly/identity.hpp"

#include <gtest/gtest.h>

namespace meteremu::shelly {
namespace {

TEST(ShellyIdentityTest, IdIsLowerCaseMacIsUpperCase) {
    Identity identity = MakeIdentity({0xfc, 0xe8, 0xc0, 0xdb, 0xa9, 0x00});
    EXPECT_EQ(identity.mac, "FCE8C0DBA900");
    EXPECT_EQ(identity.id, "shellypro3em-fce8c0dba900");
    EXPECT_EQ(identity.model, "SPEM-003CEBEU");
    EXPECT_EQ(identity.fw_id, "20250508-110717/1.6.1-g8dbd358");
}

TEST(ShellyIdentityTest, ParseMacAcceptsCommonSpellings) {
    MacAddress expected{0xa0, 0xb1, 0xc2, 0xd3, 0xe4, 0xf5};
    for (const char* text :
         {"A0B1C2D3E4F5", "a0b1c2d3e4f5", "A0:B1:C2:D3:E4:F5", "a0-b1-c2-d3-e4-f5"})
        EXPECT_EQ(ParseMac(text), expected) << text;
    for (const char* text : {"", "A0B1C2D3E4", "A0B1C2D3E4F5A6", "A0B1C2D3E4FG", ":A0B1C2D3E4F5",
                             "A0::B1C2D3E4F5", "A0B:1C2D3E4F5"})
        EXPECT_EQ(ParseMac(text), std::nullopt) << text;
}

} // namespace
} // namespace meteremu::shelly
