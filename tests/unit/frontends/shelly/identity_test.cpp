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

} // namespace
} // namespace meteremu::shelly
