// SPDX-License-Identifier: MIT
// A DSMR P1 telegram: "/" and the meter's name, lines of OBIS id and values such as
// "1-0:1.7.0(00.433*kW)", and "!" with a CRC-16 of everything from "/" to "!" (none before
// DSMR 4). Format and the values used: docs/protocols/dsmr-p1.md#telegram.
#pragma once

#include "core/reading.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace meteremu::dsmr {

/// Why a telegram was discarded: each kind is logged on its own.
enum class Fault {
    Checksum,  ///< the CRC does not match, or is missing where it must be there
    CutShort,  ///< the port delivered the start of a telegram, then the start of another
    TooLong,   ///< no end in sight: a broken line or not a P1 port
    Malformed, ///< a value the parser cannot read
    Missing,   ///< no electricity power (1-0:1.7.0) in it
};

class TelegramError : public std::runtime_error {
public:
    TelegramError(Fault fault, const std::string& what) : std::runtime_error(what), fault_(fault) {}
    Fault Kind() const noexcept { return fault_; }

private:
    Fault fault_;
};

/// CRC-16/ARC (polynomial 0xA001 reflected, initial 0), as DSMR 4 and 5 use it.
std::uint16_t Crc16Arc(std::string_view bytes) noexcept;

/// Checks the frame of a whole telegram, "/" to the line after "!": with `crc_required`
/// (DSMR 4 and 5) the CRC must be there and match; otherwise (DSMR 2.2 and 3) a telegram
/// without one passes, but one that has a CRC must still match. Throws TelegramError.
void CheckTelegram(std::string_view telegram, bool crc_required);

/// What meteremu takes from a telegram, in W, Wh, V, A and Hz.
struct P1Values {
    std::string meter; ///< the header line without "/": "ISK5\2M550T-1012"
    double import_w = 0;
    double export_w = 0;
    /// Per phase (L1, L2, L3), when the meter reports that phase's power.
    std::array<std::optional<double>, 3> phase_import_w{};
    std::array<std::optional<double>, 3> phase_export_w{};
    std::array<std::optional<double>, 3> voltage{};
    std::array<std::optional<double>, 3> current{};
    std::optional<double> frequency;
    std::optional<double> import_wh;
    std::optional<double> export_wh;
};

/// The values of a telegram whose frame was checked. Throws TelegramError (Malformed,
/// Missing).
P1Values ParseTelegram(std::string_view telegram);

/// The grid reading: per phase import − export where the meter reports phases, otherwise
/// the whole meter's on phase A; the meter's counters on phase A.
Reading ToReading(const P1Values& values, WallTime measured_at);

} // namespace meteremu::dsmr
