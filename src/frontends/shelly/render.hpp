// SPDX-License-Identifier: MIT
// The bytes of Shelly Pro 3EM status replies, as firmware 1.x prints them: fixed key order,
// fixed decimals per field (%.3f current, %.1f voltage/power/frequency, %.2f power factor
// and energy), and the firmware's stray spaces (before "user_calibrated_phase",
// "total_act_ret", inside the temperature object). Configuration objects are in
// render_config.hpp; which components a device has is in components.hpp.
#pragma once

#include "core/reading.hpp"
#include "frontends/shelly/identity.hpp"
#include "frontends/shelly/sys_info.hpp"

#include <string>

namespace meteremu::shelly {

/// GET /shelly and Shelly.GetDeviceInfo; `ident` adds the factory identification.
void AppendDeviceInfo(std::string& out, const Identity& identity, bool ident = false);

/// EM.GetStatus (the "em:0" component).
void AppendEmStatus(std::string& out, const Reading& reading);
/// "em:0" when no reading may be served: measurements null, errors ["power_meter_failure"].
void AppendEmStatusUnavailable(std::string& out);

/// EMData.GetStatus (the "emdata:0" component), energies in Wh.
void AppendEmDataStatus(std::string& out, const Reading& reading);
void AppendEmDataStatusUnavailable(std::string& out);

/// Where "voltage" goes in an EM1 status: after "current" (gen 2), before it (gen 3).
enum class Em1Order { CurrentFirst, VoltageFirst };

/// EM1.GetStatus (monophase "em1:<id>", or a channel of a two-channel meter).
void AppendEm1Status(std::string& out, int id, const PhaseReading& phase,
                     Em1Order order = Em1Order::CurrentFirst);
void AppendEm1StatusUnavailable(std::string& out, int id, Em1Order order = Em1Order::CurrentFirst);

/// EM1Data.GetStatus (monophase "em1data:<id>").
void AppendEm1DataStatus(std::string& out, int id, const PhaseReading& phase);
void AppendEm1DataStatusUnavailable(std::string& out, int id);

/// Sys.GetStatus (the "sys" component).
void AppendSysStatus(std::string& out, const Identity& identity, const SysInfo& info);

/// Switch.GetStatus of a two-channel meter's contactor output ("switch:0"): off, with the
/// device temperature, the firmware's spaces kept.
void AppendSwitchStatus(std::string& out, double celsius);

/// Temperature.GetStatus (the "temperature:0" component).
void AppendTemperatureStatus(std::string& out, double celsius);

} // namespace meteremu::shelly
