// SPDX-License-Identifier: MIT
#include "frontends/shelly/sys_info.hpp"

#include <cstdio>
#include <ctime>

namespace meteremu::shelly {
namespace {

// A real Pro 3EM on 1.6.1 reports about this much free heap; it wanders by a few KiB.
constexpr std::int64_t kRamFree = 113080;
constexpr double kTemperatureC = 46.0;

std::int64_t ToUnix(WallTime time) {
    return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

/// A cheap, stable hash of the second: the wobble of heap and temperature.
std::uint64_t Wobble(std::int64_t second) {
    return static_cast<std::uint64_t>(second) * 0x9e3779b97f4a7c15ULL >> 52;
}

} // namespace

SysInfo CurrentSysInfo(SteadyTime started, WallTime started_wall, SteadyTime now,
                       WallTime wall_now) {
    SysInfo info;
    info.unixtime = ToUnix(wall_now);
    info.uptime = std::chrono::duration_cast<std::chrono::seconds>(now - started).count();
    info.last_sync_ts = ToUnix(started_wall);
    auto seconds = static_cast<std::time_t>(info.unixtime);
    std::tm local{};
    if (localtime_r(&seconds, &local)) {
        char text[8];
        std::snprintf(text, sizeof text, "%02d:%02d", local.tm_hour % 24, local.tm_min % 60);
        info.time = text;
        info.utc_offset = local.tm_gmtoff;
    }
    auto wobble = Wobble(info.unixtime);
    // Never below the ram_min_free the sys status reports.
    info.ram_free = kRamFree - static_cast<std::int64_t>(wobble % 2048) * 4;
    info.temperature_c = kTemperatureC + static_cast<double>(wobble % 16) / 10.0;
    return info;
}

} // namespace meteremu::shelly
