// SPDX-License-Identifier: MIT
// Which addresses a listening server can be reached at, from this machine's real interfaces.
#include "platform/net_interfaces.hpp"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <system_error>

namespace meteremu {
namespace {

TEST(NetInterfacesTest, WildcardAddresses) {
    for (const char* any : {"", "0.0.0.0", "::"})
        EXPECT_TRUE(IsWildcardAddress(any)) << any;
    for (const char* one : {"127.0.0.1", "::1", "10.0.0.1"})
        EXPECT_FALSE(IsWildcardAddress(one)) << one;
}

TEST(NetInterfacesTest, ASpecificAddressIsFoundOnItsInterface) {
    auto found = ReachableAddresses("127.0.0.1");
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].family, AF_INET);
    EXPECT_EQ(found[0].Text(), "127.0.0.1");
    EXPECT_NE(found[0].index, 0u);
    EXPECT_FALSE(found[0].interface.empty());
}

TEST(NetInterfacesTest, AnAddressNoInterfaceHasGivesNothing) {
    EXPECT_TRUE(ReachableAddresses("192.0.2.77").empty()); // TEST-NET-1, never assigned
}

TEST(NetInterfacesTest, AWildcardGivesEveryIPv4AddressSorted) {
    auto found = ReachableAddresses("");
    ASSERT_FALSE(found.empty()); // loopback at least
    bool loopback = false;
    for (const auto& address : found) {
        EXPECT_EQ(address.family, AF_INET) << address.Text();
        loopback = loopback || address.Text() == "127.0.0.1";
    }
    EXPECT_TRUE(loopback);
    EXPECT_TRUE(std::is_sorted(found.begin(), found.end()));
    EXPECT_EQ(ReachableAddresses("::"), found);
}

TEST(NetInterfacesTest, NotAnAddress) {
    EXPECT_THROW(ReachableAddresses("meter.local"), std::system_error);
}

} // namespace
} // namespace meteremu
