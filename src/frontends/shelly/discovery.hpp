// SPDX-License-Identifier: MIT
// How a Shelly Pro 3EM announces itself over mDNS (docs/protocols/shelly-pro3em.md#mdns):
// _shelly._tcp and _http._tcp under the device id, on host ShellyPro3EM-<MAC>. Home Assistant reads
// the MAC from the instance name and lists a device only if it has _shelly._tcp; Hoymiles and
// Growatt batteries find the meter this way before polling HTTP.
#pragma once

#include "frontends/shelly/identity.hpp"
#include "platform/mdns_service.hpp"

#include <cstdint>
#include <vector>

namespace meteremu::shelly {

/// The services of `identity` for an HTTP server on `http_port`. The TXT records are those
/// seen from a real device (fw 2.0.0): gen, app and ver on _shelly._tcp, gen on _http._tcp.
std::vector<MdnsService> DiscoveryServices(const Identity& identity, std::uint16_t http_port);

} // namespace meteremu::shelly
