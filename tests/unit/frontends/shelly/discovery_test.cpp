// SPDX-License-Identifier: MIT
// The mDNS services of the emulated device, per docs/protocols/shelly-pro3em.md#mdns.
#include "frontends/shelly/discovery.hpp"

#include <gtest/gtest.h>

namespace meteremu::shelly {
namespace {

TEST(ShellyDiscoveryTest, ShellyAndHttpServicesPerSpec) {
    Identity identity = MakeIdentity({0xfc, 0xe8, 0xc0, 0xdb, 0xa9, 0x00});
    auto services = DiscoveryServices(identity, 8080);
    ASSERT_EQ(services.size(), 2u);
    EXPECT_EQ(services[0], (MdnsService{"_shelly._tcp",
                                        "shellypro3em-fce8c0dba900",
                                        "ShellyPro3EM-FCE8C0DBA900",
                                        8080,
                                        {"gen=2", "app=Pro3EM", "ver=1.6.1"}}));
    EXPECT_EQ(services[1], (MdnsService{"_http._tcp",
                                        "shellypro3em-fce8c0dba900",
                                        "ShellyPro3EM-FCE8C0DBA900",
                                        8080,
                                        {"gen=2"}}));
}

TEST(ShellyDiscoveryTest, HomeAssistantReadsTheMacFromTheInstanceName) {
    // HA takes the label after the one '-' and wants 12 hex digits.
    Identity identity = MakeIdentity({0x02, 0x00, 0x5e, 0x10, 0x20, 0x30});
    for (const auto& service : DiscoveryServices(identity, 80)) {
        auto dash = service.name.find('-');
        EXPECT_EQ(service.name.find('-', dash + 1), std::string::npos);
        EXPECT_EQ(service.name.substr(dash + 1), "02005e102030");
        EXPECT_EQ(service.port, 80);
    }
}

} // namespace
} // namespace meteremu::shelly
