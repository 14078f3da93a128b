// SPDX-License-Identifier: MIT
// The datagrams an SMA Energy Meter (1.0, 2.0) and a Sunny Home Manager 2.0 multicast once a
// second: the SMA tag list, and in its data tag the energy meter protocol (0x6069) with one
// OBIS record per quantity. Byte layout: docs/protocols/sma-speedwire.md#datagram.
#pragma once

#include "core/reading.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>

namespace meteremu::sma {

inline constexpr std::uint16_t kEnergyMeterProtocol = 0x6069;

/// One phase as the meter reports it: every power unsigned, import and export apart.
struct MeterPhase {
    double import_w = 0; ///< P+ (OBIS x.4.0 of 21/41/61)
    double export_w = 0; ///< P− (22/42/62)
    double import_va = 0;
    double export_va = 0;
    double voltage = 0;                     ///< V
    double current = 0;                     ///< A
    std::optional<std::uint64_t> import_ws; ///< the meter's own counters, W·s
    std::optional<std::uint64_t> export_ws;
};

struct MeterDatagram {
    std::uint16_t susy_id = 0; ///< device type: 270 EM 1.0, 349 EM 2.0, 372 SHM 2.0
    std::uint32_t serial = 0;
    std::uint32_t ticker_ms = 0; ///< the meter's millisecond clock, wraps
    double import_w = 0;         ///< P+ of the whole meter
    double export_w = 0;
    std::optional<std::uint64_t> import_ws;
    std::optional<std::uint64_t> export_ws;
    std::optional<double> frequency; ///< Hz; Energy Meter 2.0 sends none
    std::array<MeterPhase, kPhaseCount> phases{};
    std::string firmware; ///< "2.0.18.R"; empty when not sent
};

/// A datagram that claims to be SMA's but is not well formed, or a meter datagram without a
/// power it must carry.
class SpeedwireError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The energy meter datagram in `bytes`; nullopt for a well-formed SMA datagram of another
/// protocol (inverters, discovery), which the caller ignores. Throws SpeedwireError.
std::optional<MeterDatagram> ParseMeterDatagram(std::span<const std::uint8_t> bytes);

/// The grid reading: per phase P+ − P− (+ import, − export), the meter's counters in Wh.
Reading ToReading(const MeterDatagram& datagram, WallTime measured_at);

/// "Energy Meter 2.0", "Sunny Home Manager 2.0", or "SMA device type 123".
std::string DeviceName(std::uint16_t susy_id);

} // namespace meteremu::sma
