// SPDX-License-Identifier: MIT
#include "net/socket.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

TEST(SocketTest, AddressWithoutPort) {
    EXPECT_EQ(AddressWithoutPort("127.0.0.1:8080"), "127.0.0.1");
    EXPECT_EQ(AddressWithoutPort("[::]:80"), "::");
    EXPECT_EQ(AddressWithoutPort("[fd00::1]:80"), "fd00::1");
}

TEST(SocketTest, AddressWithoutPortOfARealSocket) {
    UniqueFd fd = BindSocket(SocketKind::Stream, "127.0.0.1", 0);
    EXPECT_EQ(AddressWithoutPort(LocalAddressText(fd.Get())), "127.0.0.1");
}

} // namespace
} // namespace meteremu
