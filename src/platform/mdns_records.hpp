// SPDX-License-Identifier: MIT
// The DNS records behind a DNS-SD service, built by hand so that every one of them carries
// the TTL a real device uses (Avahi's own service call gives PTR and TXT 75 minutes).
// Names are Avahi's escaped text form; record data is DNS wire format.
#pragma once

#include "platform/mdns_service.hpp"
#include "platform/net_interfaces.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace meteremu {

/// TTL of every record, as Shelly devices and the emulators batteries accept use.
inline constexpr std::uint32_t kMdnsTtlSeconds = 120;

struct DnsRecord {
    std::string name;   ///< owner name, escaped text: "shellypro3em-…\._shelly._tcp.local"
    std::uint16_t type; ///< AVAHI_DNS_TYPE_*
    bool unique;        ///< probed and defended as ours alone (SRV, TXT, A) or shared (PTR)
    std::vector<std::uint8_t> rdata;

    bool operator==(const DnsRecord&) const = default;
};

/// `label` + "." + `domain`, the label escaped: "ShellyPro3EM-FCE8C0DBA900.local".
/// Throws std::invalid_argument for a label that is empty or too long.
std::string JoinHostName(std::string_view label, std::string_view domain);

/// The PTR (type → instance), SRV (port, `target`), TXT and the type-enumeration PTR
/// (_services._dns-sd._udp → type) of one service. `target` is an escaped host name.
/// Throws std::invalid_argument for an invalid name, type or TXT string.
std::vector<DnsRecord> ServiceRecords(const MdnsService& service, std::string_view target,
                                      std::string_view domain);

/// The A or AAAA record of `host` (escaped).
DnsRecord AddressRecord(std::string_view host, const InterfaceAddress& address);

/// An escaped text name in DNS wire format (length-prefixed labels, uncompressed).
/// Throws std::invalid_argument when the name is not valid.
std::vector<std::uint8_t> WireName(std::string_view name);

/// TXT record data: each string length-prefixed; a single empty string when there are none
/// (RFC 6763 §6.1). Throws std::invalid_argument for a string over 255 bytes.
std::vector<std::uint8_t> TxtData(const std::vector<std::string>& strings);

} // namespace meteremu
