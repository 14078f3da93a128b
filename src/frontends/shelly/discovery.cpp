// SPDX-License-Identifier: MIT
#include "frontends/shelly/discovery.hpp"

namespace meteremu::shelly {

std::vector<MdnsService> DiscoveryServices(const Identity& identity, std::uint16_t http_port) {
    // The AP SSID and the mDNS host share this spelling: app name, '-', upper-case MAC.
    std::string host = identity.host_prefix + "-" + identity.mac;
    std::string gen = "gen=" + std::to_string(identity.gen);
    return {
        {"_shelly._tcp",
         identity.id,
         host,
         http_port,
         {gen, "app=" + identity.app, "ver=" + identity.ver}},
        {"_http._tcp", identity.id, host, http_port, {gen}},
    };
}

} // namespace meteremu::shelly
