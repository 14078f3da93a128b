// SPDX-License-Identifier: MIT
#include "platform/machine_id.hpp"

#include <gtest/gtest.h>
#include <systemd/sd-id128.h>

#include <algorithm>
#include <filesystem>

namespace meteremu {
namespace {

TEST(MachineIdTest, DerivedMacIsLocallyAdministeredUnicast) {
    sd_id128_t id = SD_ID128_MAKE(ff, 11, 22, 33, 44, 55, 66, 77, 88, 99, aa, bb, cc, dd, ee, ff);
    MacAddress mac = MacFromAppSpecificId(std::to_array(id.bytes));
    EXPECT_EQ(mac, (MacAddress{0xfe, 0x11, 0x22, 0x33, 0x44, 0x55}));
}

TEST(MachineIdTest, ApplicationIdIsTheOneEveryInstallUses) {
    // A changed application id would change the MAC, and so the device id, of every install.
    sd_id128_t expected =
        SD_ID128_MAKE(60, a1, 3b, 1e, 32, 08, 4b, 43, 81, 6d, cf, 97, ed, 95, ab, b3);
    EXPECT_EQ(MacApplicationId(), std::to_array(expected.bytes));
}

TEST(MachineIdTest, StableMacFollowsTheMachineId) {
    if (!std::filesystem::exists("/etc/machine-id"))
        GTEST_SKIP() << "this machine has no /etc/machine-id";
    sd_id128_t application;
    std::ranges::copy(MacApplicationId(), application.bytes);
    sd_id128_t app_specific;
    ASSERT_EQ(sd_id128_get_machine_app_specific(application, &app_specific), 0);
    MacAddress mac = StableMacAddress();
    EXPECT_EQ(mac, MacFromAppSpecificId(std::to_array(app_specific.bytes)));
    EXPECT_EQ(mac, StableMacAddress());
    EXPECT_EQ(mac, StableMacAddress(0));
}

TEST(MachineIdTest, EveryDeviceOfAMachineGetsItsOwnStableMac) {
    if (!std::filesystem::exists("/etc/machine-id"))
        GTEST_SKIP() << "this machine has no /etc/machine-id";
    MacAddress first = StableMacAddress(0);
    MacAddress second = StableMacAddress(1);
    MacAddress third = StableMacAddress(2);
    EXPECT_NE(first, second);
    EXPECT_NE(second, third);
    EXPECT_NE(first, third);
    EXPECT_EQ(second, StableMacAddress(1));
    EXPECT_EQ(second[0] & 0x03, 0x02) << "locally administered unicast";
}

} // namespace
} // namespace meteremu
