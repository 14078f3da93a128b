// SPDX-License-Identifier: MIT
// What the daemon shows on the system bus (docs/dbus.md), as plain values: the service
// (platform/meter_bus.hpp) serves them, `meteremu status` (platform/meter_bus_client.hpp)
// reads them back.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <tuple>
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

/// How a property changes, as the interface announces it.
enum class BusPropertyKind : std::uint8_t {
    Constant,  ///< never while the daemon runs
    Signalled, ///< PropertiesChanged tells each change
    Polled,    ///< changes all the time (an age): read when wanted, never signalled
};

/// One property of the interface: its name, its D-Bus signature, the member of MeterBusFacts
/// that holds it and how it changes.
template <auto Member>
struct BusProperty {
    static constexpr auto kMember = Member;
    const char* name;
    const char* signature;
    BusPropertyKind kind;
};

/// The interface of docs/dbus.md: the one list the service's vtable, its change signals and
/// the reader of `meteremu status` are all made from.
inline constexpr auto kMeterBusProperties = std::tuple{
    BusProperty<&MeterBusFacts::version>{"Version", "s", BusPropertyKind::Constant},
    BusProperty<&MeterBusFacts::config_file>{"ConfigFile", "s", BusPropertyKind::Constant},
    BusProperty<&MeterBusFacts::reading_present>{"ReadingPresent", "b", BusPropertyKind::Signalled},
    BusProperty<&MeterBusFacts::grid_power>{"GridPower", "ad", BusPropertyKind::Signalled},
    BusProperty<&MeterBusFacts::grid_power_total>{"GridPowerTotal", "d",
                                                  BusPropertyKind::Signalled},
    BusProperty<&MeterBusFacts::reading_time_us>{"ReadingTime", "t", BusPropertyKind::Signalled},
    BusProperty<&MeterBusFacts::reading_age_s>{"ReadingAge", "d", BusPropertyKind::Polled},
    BusProperty<&MeterBusFacts::stale>{"Stale", "b", BusPropertyKind::Signalled},
    BusProperty<&MeterBusFacts::source>{"Source", "s", BusPropertyKind::Signalled},
    BusProperty<&MeterBusFacts::source_health>{"SourceHealth", "s", BusPropertyKind::Signalled},
    BusProperty<&MeterBusFacts::token_expiry_s>{"TokenExpiry", "t", BusPropertyKind::Signalled},
    BusProperty<&MeterBusFacts::clients>{"Clients", "u", BusPropertyKind::Signalled},
    BusProperty<&MeterBusFacts::frontends>{"Frontends", "a(sssqs)", BusPropertyKind::Signalled},
};

} // namespace meteremu
