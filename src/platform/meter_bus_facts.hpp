// SPDX-License-Identifier: MIT
// What the daemon shows on the system bus (docs/dbus.md), as plain values: the service
// (platform/meter_bus.hpp) serves them, `meteremu status` (platform/meter_bus_client.hpp)
// reads them back.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace meteremu {

/// The well-known name, the object and its interface; the 1 is the interface's version: a
/// change that is not an addition gets a new interface, Meter2, beside this one.
inline constexpr const char* kMeterBusName = "io.meteremu.Meter1";
inline constexpr const char* kMeterBusPath = "/io/meteremu/Meter1";
inline constexpr const char* kMeterBusInterface = "io.meteremu.Meter1";

struct MeterBusFacts {
    std::string version;
    std::string config_file;
    bool reading_present = false;
    std::array<double, 3> grid_power{}; ///< W per phase, + import, − export
    double grid_power_total = 0;
    /// When the latest reading arrived, µs since the epoch; 0 before the first. A new value
    /// is a new reading.
    std::uint64_t reading_time_us = 0;
    double reading_age_s = 0;
    bool stale = false;
    std::string source;
    std::string source_health;
    /// When the gateway's token expires, seconds since the epoch; 0 when unknown or none.
    std::uint64_t token_expiry_s = 0;
    std::uint32_t clients = 0; ///< distinct addresses that polled in the last minute

    struct Frontend {
        std::string name, type, describe;
        std::uint16_t http_port = 0;
        std::string serving; ///< "fresh", "withheld", "zeroed", "last" or "waiting"

        bool operator==(const Frontend&) const = default;
    };
    std::vector<Frontend> frontends;
};

} // namespace meteremu
