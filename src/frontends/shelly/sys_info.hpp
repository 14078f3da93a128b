// SPDX-License-Identifier: MIT
// The parts of the Shelly "sys" status that change while a real device runs.
#pragma once

#include "core/reading.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace meteremu::shelly {

struct SysInfo {
    std::int64_t unixtime = 0;
    std::optional<std::string> time; ///< local "HH:MM"
    std::int64_t uptime = 0;         ///< seconds since start
    std::int64_t last_sync_ts = 0;   ///< last time sync; the start time here
    std::int64_t ram_free = 0;
    std::int64_t utc_offset = 0; ///< seconds east of UTC
    double temperature_c = 0;    ///< the device's internal temperature
};

/// `started_*` is when the daemon started; `now`/`wall_now` the moment of the reply.
SysInfo CurrentSysInfo(SteadyTime started, WallTime started_wall, SteadyTime now,
                       WallTime wall_now);

} // namespace meteremu::shelly
