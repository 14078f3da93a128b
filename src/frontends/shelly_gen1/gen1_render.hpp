// SPDX-License-Identifier: MIT
// The bytes of a Shelly 3EM (SHEM-3, first generation) on firmware 1.11.8: GET /shelly,
// /status, /emeter/<N> and /settings, in the firmware's key order, with its decimals (power,
// power factor, current and voltage %.2f; the energy counters %.1f Wh).
// See docs/protocols/shelly-gen1.md.
#pragma once

#include "core/meter_state.hpp"

#include <cstdint>
#include <string>

namespace meteremu::shelly_gen1 {

struct Gen1Identity {
    std::string mac;      ///< 12 upper-case hex digits
    std::string hostname; ///< "shellyem3-" + mac
    bool auth = false;    ///< Basic authentication required (login.enabled)
};

/// What the status of one moment says besides the meter.
struct Gen1Moment {
    std::int64_t unixtime = 0;
    std::string time; ///< local "HH:MM"
    std::int64_t uptime = 0;
    std::uint64_t serial = 0; ///< moves with each new reading, as the device's status serial
};

/// GET /shelly: type, mac, auth and firmware; no "gen" key (that is how clients know Gen1).
void AppendShelly(std::string& out, const Gen1Identity& identity);

/// One meter channel, as /emeter/<N> and each element of /status "emeters".
void AppendEmeter(std::string& out, const PhaseReading& phase);

/// GET /status.
void AppendStatus(std::string& out, const Gen1Identity& identity, const Reading& reading,
                  const Gen1Moment& moment);

/// GET /settings: the device block and the settings of a device on its own (no cloud, no
/// MQTT); the login's password is never shown, as on the device.
void AppendSettings(std::string& out, const Gen1Identity& identity, const std::string& user);

} // namespace meteremu::shelly_gen1
