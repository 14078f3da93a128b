// SPDX-License-Identifier: MIT
// The bytes of Shelly Pro 3EM replies, as firmware 1.x prints them: fixed key order, fixed
// decimals per field (%.3f current, %.1f voltage/power/frequency, %.2f power factor and
// energy), and the firmware's stray spaces (before "user_calibrated_phase", "total_act_ret",
// inside the temperature object).
#pragma once

#include "core/reading.hpp"
#include "frontends/shelly/identity.hpp"
#include "frontends/shelly/sys_info.hpp"

#include <string>

namespace meteremu::shelly {

/// GET /shelly and Shelly.GetDeviceInfo.
void AppendDeviceInfo(std::string& out, const Identity& identity);

/// EM.GetStatus (the "em:0" component).
void AppendEmStatus(std::string& out, const Reading& reading);
/// "em:0" when no reading may be served: measurements null, errors ["power_meter_failure"].
void AppendEmStatusUnavailable(std::string& out);

/// EMData.GetStatus (the "emdata:0" component), energies in Wh.
void AppendEmDataStatus(std::string& out, const Reading& reading);
void AppendEmDataStatusUnavailable(std::string& out);

/// Sys.GetStatus (the "sys" component).
void AppendSysStatus(std::string& out, const Identity& identity, const SysInfo& info);

/// Temperature.GetStatus (the "temperature:0" component).
void AppendTemperatureStatus(std::string& out, double celsius);

/// Shelly.GetStatus: every component; `reading` null renders the meter parts unavailable,
/// `energy` false renders only the energy part unavailable.
void AppendStatus(std::string& out, const Identity& identity, const SysInfo& info,
                  const Reading* reading, bool energy);

} // namespace meteremu::shelly
