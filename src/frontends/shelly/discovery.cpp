// SPDX-License-Identifier: MIT
#include "frontends/shelly/discovery.hpp"

namespace meteremu::shelly {

std::vector<MdnsService> DiscoveryServices(const Identity& identity, std::uint16_t http_port) {
    // The AP SSID and the mDNS host share this spelling: app name, '-', upper-case MAC.
    std::string host = "ShellyPro3EM-" + identity.mac;
    return {
        {"_shelly._tcp",
         identity.id,
         host,
         http_port,
         {"gen=2", "app=" + identity.app, "ver=" + identity.ver}},
        {"_http._tcp", identity.id, host, http_port, {"gen=2"}},
    };
}

} // namespace meteremu::shelly
