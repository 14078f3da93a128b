// SPDX-License-Identifier: MIT
// Addresses and networks as the allow key writes them, and the list every transport asks.
#include "net/allow_list.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>

namespace meteremu {
namespace {

IpAddress Ip(const char* text) {
    auto address = IpAddress::Parse(text);
    EXPECT_TRUE(address) << text;
    return address.value_or(IpAddress{});
}

IpNetwork Net(const char* text) {
    std::string error;
    auto network = IpNetwork::Parse(text, error);
    EXPECT_TRUE(network) << text << ": " << error;
    return network.value_or(IpNetwork{});
}

std::string ParseError(const char* text) {
    std::string error;
    EXPECT_FALSE(IpNetwork::Parse(text, error)) << text;
    return error;
}

TEST(IpAddressTest, BothFamiliesInOneForm) {
    EXPECT_TRUE(Ip("192.0.2.7").IsV4());
    EXPECT_FALSE(Ip("2001:db8::7").IsV4());
    // The dual-stack socket's view of an IPv4 client is the same address.
    EXPECT_EQ(Ip("192.0.2.7"), Ip("::ffff:192.0.2.7"));
    EXPECT_EQ(Ip("192.0.2.7").ToString(), "192.0.2.7");
    EXPECT_EQ(Ip("2001:db8::7").ToString(), "2001:db8::7");
    EXPECT_FALSE(IpAddress::Parse("192.0.2"));
    EXPECT_FALSE(IpAddress::Parse("meter.local"));
    EXPECT_FALSE(IpAddress::Parse(""));
}

TEST(IpAddressTest, FromSocketAddresses) {
    sockaddr_in v4{};
    v4.sin_family = AF_INET;
    inet_pton(AF_INET, "10.1.2.3", &v4.sin_addr);
    sockaddr_in6 v6{};
    v6.sin6_family = AF_INET6;
    inet_pton(AF_INET6, "fd00::1", &v6.sin6_addr);
    sockaddr unix_socket{};
    unix_socket.sa_family = AF_UNIX;
    EXPECT_EQ(IpAddress::Of(reinterpret_cast<sockaddr*>(&v4)), Ip("10.1.2.3"));
    EXPECT_EQ(IpAddress::Of(reinterpret_cast<sockaddr*>(&v6)), Ip("fd00::1"));
    EXPECT_FALSE(IpAddress::Of(&unix_socket));
    EXPECT_FALSE(IpAddress::Of(nullptr));
}

TEST(IpAddressTest, HostLoopbackIsExactlyTheTwoAddresses) {
    EXPECT_TRUE(Ip("127.0.0.1").IsHostLoopback());
    EXPECT_TRUE(Ip("::1").IsHostLoopback());
    EXPECT_FALSE(Ip("127.0.0.2").IsHostLoopback());
    EXPECT_FALSE(Ip("::2").IsHostLoopback());
}

TEST(IpAddressTest, ClientIsTheIpv4AddressOrTheIpv6Slash64) {
    // An IPv6 host may use any address of its /64: the limits per client count the /64.
    EXPECT_EQ(Ip("2001:db8:1:2::1").Client(), Ip("2001:db8:1:2::"));
    EXPECT_EQ(Ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd").Client(), Ip("2001:db8:1:2::1").Client());
    EXPECT_NE(Ip("2001:db8:1:3::1").Client(), Ip("2001:db8:1:2::1").Client());
    EXPECT_EQ(Ip("fd00::1234").Client(), Ip("fd00::"));
    // Every host of a link shares fe80::/64: there each address is a client.
    EXPECT_EQ(Ip("fe80::1").Client(), Ip("fe80::1"));
    EXPECT_NE(Ip("fe80::1").Client(), Ip("fe80::2").Client());
    EXPECT_EQ(Ip("febf::1").Client(), Ip("febf::1"));
    EXPECT_EQ(Ip("fec0::1").Client(), Ip("fec0::"));
    // IPv4 addresses, also mapped, are whole.
    EXPECT_EQ(Ip("192.0.2.7").Client(), Ip("192.0.2.7"));
    EXPECT_NE(Ip("192.0.2.7").Client(), Ip("192.0.2.8").Client());
    EXPECT_EQ(Ip("::ffff:192.0.2.7").Client(), Ip("192.0.2.7"));
}

TEST(IpNetworkTest, ContainsByPrefix) {
    IpNetwork lan = Net("192.168.1.0/24");
    EXPECT_TRUE(lan.Contains(Ip("192.168.1.0")));
    EXPECT_TRUE(lan.Contains(Ip("192.168.1.255")));
    EXPECT_TRUE(lan.Contains(Ip("::ffff:192.168.1.20")));
    EXPECT_FALSE(lan.Contains(Ip("192.168.2.1")));
    EXPECT_FALSE(lan.Contains(Ip("::192.168.1.20"))); // IPv4-compatible, not mapped
    IpNetwork odd = Net("10.0.0.0/13");               // a prefix that is not a multiple of 8
    EXPECT_TRUE(odd.Contains(Ip("10.7.255.255")));
    EXPECT_FALSE(odd.Contains(Ip("10.8.0.0")));
    IpNetwork ula = Net("fd00::/8");
    EXPECT_TRUE(ula.Contains(Ip("fd12:3456::1")));
    EXPECT_FALSE(ula.Contains(Ip("fe80::1")));
    EXPECT_FALSE(ula.Contains(Ip("10.0.0.1")));
    IpNetwork host = Net("192.0.2.9");
    EXPECT_TRUE(host.Contains(Ip("192.0.2.9")));
    EXPECT_FALSE(host.Contains(Ip("192.0.2.8")));
    EXPECT_TRUE(Net("0.0.0.0/0").Contains(Ip("203.0.113.1")));
    EXPECT_FALSE(Net("0.0.0.0/0").Contains(Ip("2001:db8::1")));
    EXPECT_TRUE(Net("::/0").Contains(Ip("2001:db8::1")));
}

TEST(IpNetworkTest, WrittenBackAsConfigured) {
    EXPECT_EQ(Net("192.168.1.0/24").ToString(), "192.168.1.0/24");
    EXPECT_EQ(Net("192.0.2.9").ToString(), "192.0.2.9/32");
    EXPECT_EQ(Net("fd00::/8").ToString(), "fd00::/8");
}

TEST(IpNetworkTest, MistakesAreExplained) {
    EXPECT_EQ(ParseError("192.168.1.5/24"),
              "\"192.168.1.5/24\" has bits set after the prefix; the network is 192.168.1.0/24");
    EXPECT_EQ(ParseError("192.168.1.0/33"),
              "\"192.168.1.0/33\": the prefix length after / must be 0 to 32");
    EXPECT_EQ(ParseError("fd00::/129"),
              "\"fd00::/129\": the prefix length after / must be 0 to 128");
    EXPECT_EQ(ParseError("10.0.0.0/"), "\"10.0.0.0/\": the prefix length after / must be 0 to 32");
    EXPECT_EQ(ParseError("10.0.0.0/8x"),
              "\"10.0.0.0/8x\": the prefix length after / must be 0 to 32");
    EXPECT_EQ(ParseError("lan"), "\"lan\" is not an IPv4 or IPv6 address or network");
}

TEST(AllowListTest, EmptyAllowsEveryoneElseOnlyTheNetworksAndTheHost) {
    EXPECT_TRUE(AllowList().Allows(Ip("203.0.113.1")));
    AllowList list({Net("192.168.1.0/24"), Net("fd00::/8")});
    EXPECT_TRUE(list.Allows(Ip("192.168.1.20")));
    EXPECT_TRUE(list.Allows(Ip("fd00::20")));
    EXPECT_FALSE(list.Allows(Ip("192.168.2.20")));
    EXPECT_FALSE(list.Allows(Ip("2001:db8::1")));
    EXPECT_FALSE(list.Allows(Ip("127.0.0.2")));
    // The watchdog's probe comes from the host itself.
    EXPECT_TRUE(list.Allows(Ip("127.0.0.1")));
    EXPECT_TRUE(list.Allows(Ip("::1")));
}

TEST(ClientFilterTest, ReplacedWhileInUse) {
    sockaddr_in peer{};
    peer.sin_family = AF_INET;
    inet_pton(AF_INET, "192.168.1.20", &peer.sin_addr);
    const auto* address = reinterpret_cast<const sockaddr*>(&peer);
    ClientFilter filter;
    EXPECT_TRUE(filter.Allows(address));
    filter.Replace(AllowList({Net("10.0.0.0/8")}));
    EXPECT_FALSE(filter.Allows(address));
    filter.Replace(AllowList({Net("192.168.0.0/16")}));
    EXPECT_TRUE(filter.Allows(address));
    sockaddr unix_socket{};
    unix_socket.sa_family = AF_UNIX;
    EXPECT_FALSE(filter.Allows(&unix_socket));
}

} // namespace
} // namespace meteremu
