// SPDX-License-Identifier: MIT
// One DNS-SD service as plain data: what a frontend wants advertised over mDNS. Kept apart
// from the publisher so that frontends describe their records without knowing Avahi.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace meteremu {

struct MdnsService {
    std::string type; ///< "_shelly._tcp"
    std::string name; ///< instance name, "shellypro3em-fce8c0dba900"
    /// Host label of the SRV target without the domain, "ShellyPro3EM-FCE8C0DBA900"; the
    /// publisher adds address records for it. Empty: this machine's own host name.
    std::string host;
    std::uint16_t port = 0;
    std::vector<std::string> txt; ///< "key=value" strings, in the order they go on the wire
    /// Not empty: "<key>=<IPv4 address>" goes on the wire after `txt`, with the address the
    /// records are published with (the first one when several), kept up to date.
    std::string address_txt_key = {};

    bool operator==(const MdnsService&) const = default;
};

} // namespace meteremu
