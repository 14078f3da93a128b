// SPDX-License-Identifier: MIT
#include "platform/machine_id.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace meteremu {
namespace {

TEST(MachineIdTest, DerivedMacIsLocallyAdministeredUnicast) {
    sd_id128_t id = SD_ID128_MAKE(ff, 11, 22, 33, 44, 55, 66, 77, 88, 99, aa, bb, cc, dd, ee, ff);
    MacAddress mac = MacFromAppSpecificId(id);
    EXPECT_EQ(mac, (MacAddress{0xfe, 0x11, 0x22, 0x33, 0x44, 0x55}));
}

TEST(MachineIdTest, StableMacFollowsTheMachineId) {
    if (!std::filesystem::exists("/etc/machine-id"))
        GTEST_SKIP() << "this machine has no /etc/machine-id";
    sd_id128_t app_specific;
    ASSERT_EQ(sd_id128_get_machine_app_specific(MacApplicationId(), &app_specific), 0);
    MacAddress mac = StableMacAddress();
    EXPECT_EQ(mac, MacFromAppSpecificId(app_specific));
    EXPECT_EQ(mac, StableMacAddress());
}

} // namespace
} // namespace meteremu
