// SPDX-License-Identifier: MIT
// The records behind a DNS-SD service, byte for byte.
#include "platform/mdns_records.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <stdexcept>

namespace meteremu {
namespace {

std::vector<std::uint8_t> Bytes(std::string_view text) {
    return {text.begin(), text.end()};
}

using namespace std::string_view_literals;

constexpr auto kShellyInstance = "\x19shellypro3em-fce8c0dba900\x07_shelly\x04_tcp\x05local\0"sv;

MdnsService ShellyService() {
    return {"_shelly._tcp",
            "shellypro3em-fce8c0dba900",
            "ShellyPro3EM-FCE8C0DBA900",
            80,
            {"gen=2", "app=Pro3EM", "ver=1.6.1"}};
}

TEST(MdnsRecordsTest, ServiceIsPtrSrvTxtAndTypeEnumeration) {
    auto records = ServiceRecords(ShellyService(), "ShellyPro3EM-FCE8C0DBA900.local", "local");
    ASSERT_EQ(records.size(), 4u);
    const std::string instance = "shellypro3em-fce8c0dba900._shelly._tcp.local";
    EXPECT_EQ(records[0], (DnsRecord{"_shelly._tcp.local", 12, false, Bytes(kShellyInstance)}));
    EXPECT_EQ(records[1],
              (DnsRecord{instance, 33, true,
                         Bytes("\0\0\0\0\0\x50\x19ShellyPro3EM-FCE8C0DBA900\x05local\0"sv)}));
    EXPECT_EQ(records[2], (DnsRecord{instance, 16, true,
                                     Bytes("\x05gen=2\x0a"
                                           "app=Pro3EM\x09ver=1.6.1"sv)}));
    EXPECT_EQ(records[3], (DnsRecord{"_services._dns-sd._udp.local", 12, false,
                                     Bytes("\x07_shelly\x04_tcp\x05local\0"sv)}));
}

TEST(MdnsRecordsTest, InstanceNamesAreEscapedInTextAndRawOnTheWire) {
    MdnsService service = ShellyService();
    service.type = "_http._tcp";
    service.name = "meter 2.0 #2";
    auto records = ServiceRecords(service, "h.local", "local");
    EXPECT_EQ(records[1].name, "meter\\0322\\.0\\032\\0352._http._tcp.local");
    EXPECT_EQ(records[0].rdata, Bytes("\x0cmeter 2.0 #2\x05_http\x04_tcp\x05local\0"sv));
}

TEST(MdnsRecordsTest, TxtData) {
    EXPECT_EQ(TxtData({}), Bytes("\0"sv)) << "RFC 6763 §6.1: never empty";
    EXPECT_EQ(TxtData({"gen=2"}), Bytes("\x05gen=2"sv));
    EXPECT_EQ(TxtData({std::string(255, 'x')}).size(), 256u);
    EXPECT_THROW(TxtData({std::string(256, 'x')}), std::invalid_argument);
}

TEST(MdnsRecordsTest, HostNames) {
    EXPECT_EQ(JoinHostName("ShellyPro3EM-FCE8C0DBA900", "local"),
              "ShellyPro3EM-FCE8C0DBA900.local");
    EXPECT_EQ(JoinHostName("a.b", "local"), "a\\.b.local");
    EXPECT_THROW(JoinHostName("", "local"), std::invalid_argument);
    EXPECT_THROW(JoinHostName(std::string(64, 'x'), "local"), std::invalid_argument);
    EXPECT_EQ(WireName("a\\.b.local"), Bytes("\x03"
                                             "a.b\x05local\0"sv));
    EXPECT_THROW(WireName(""), std::invalid_argument);
    EXPECT_THROW(WireName("a..b"), std::invalid_argument);
}

TEST(MdnsRecordsTest, InvalidServicesAreRefused) {
    MdnsService service = ShellyService();
    service.type = "shelly";
    EXPECT_THROW(ServiceRecords(service, "h.local", "local"), std::invalid_argument);
    service = ShellyService();
    service.name = "";
    EXPECT_THROW(ServiceRecords(service, "h.local", "local"), std::invalid_argument);
}

TEST(MdnsRecordsTest, AddressRecords) {
    InterfaceAddress v4{2, "eth0", AF_INET, {192, 168, 1, 20}};
    EXPECT_EQ(AddressRecord("h.local", v4), (DnsRecord{"h.local", 1, true, {192, 168, 1, 20}}));
    InterfaceAddress v6{2, "eth0", AF_INET6, {}};
    inet_pton(AF_INET6, "fd00::1", v6.bytes.data());
    DnsRecord aaaa = AddressRecord("h.local", v6);
    EXPECT_EQ(aaaa.type, 28);
    EXPECT_EQ(aaaa.rdata.size(), 16u);
    EXPECT_EQ(aaaa.rdata.back(), 1);
}

} // namespace
} // namespace meteremu
