// SPDX-License-Identifier: MIT
// Which values of a JSON payload make the grid reading, and the mapping itself: a net power
// (or import minus export) for the whole site or per phase, optional energy counters, and
// the details a preset knows (voltage, current, ...). The payload comes from a LAN peer:
// MapPayload bounds what it accepts and throws PayloadError, never a partial reading.
#pragma once

#include "core/reading.hpp"
#include "util/json_pointer.hpp"

#include <array>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace meteremu::http_json {

/// One power: `net`, or `import` − `export` when both are set.
struct PowerField {
    JsonPointer net;
    std::optional<JsonPointer> import;
    std::optional<JsonPointer> export_;
    /// Presets only: a phase the device may not report (a single-phase P1 meter) reads 0.
    bool optional = false;
};

/// Lifetime energy taken from and given to the grid.
struct EnergyFields {
    JsonPointer import;
    JsonPointer export_;
};

/// What a preset also knows about a phase; each is optional (absent values read 0).
struct PhaseDetails {
    std::optional<JsonPointer> voltage;
    std::optional<JsonPointer> current;
    std::optional<JsonPointer> power_factor;
    std::optional<JsonPointer> frequency;
    std::optional<JsonPointer> aprt_power;
};

struct PayloadMap {
    /// One entry: the whole site's power, on phase a. Three: phases a, b and c.
    std::vector<PowerField> power;
    /// None (meteremu integrates), one (the site's, on phase a) or three (per phase).
    std::vector<EnergyFields> energy;
    std::array<PhaseDetails, kPhaseCount> details{};
    /// Watts per unit of the power fields (1000 for kW).
    double scale = 1;
    /// Watt-hours per unit of the energy fields (1000 for kWh).
    double energy_scale = 1;
    /// The source counts export as positive.
    bool invert = false;
};

class PayloadError : public std::runtime_error {
public:
    enum class Kind {
        Unparsable,   ///< not JSON (an HTML page, cut short, empty)
        MissingField, ///< a configured pointer finds no number
    };
    PayloadError(Kind kind, const std::string& message)
        : std::runtime_error(message), kind_(kind) {}
    Kind GetKind() const noexcept { return kind_; }

private:
    Kind kind_;
};

/// The reading of one payload (measured_at and received_at left for the caller). Throws
/// PayloadError; its message quotes at most a few bytes of the payload.
Reading MapPayload(std::string_view body, const PayloadMap& map);

/// Whether the map reads energy counters (else they are integrated).
inline bool HasEnergy(const PayloadMap& map) noexcept {
    return !map.energy.empty();
}

} // namespace meteremu::http_json
