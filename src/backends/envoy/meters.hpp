// SPDX-License-Identifier: MIT
// GET /ivp/meters: which CTs exist, which are enabled, and how many phases they measure
// (docs/protocols/envoy.md#meters). From it the poller learns where grid power comes from,
// if anywhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meteremu::envoy {

struct MeterEntry {
    std::uint64_t eid = 0;
    std::string measurement_type; ///< production, net-consumption, total-consumption, storage, ...
    bool enabled = false;
    std::string phase_mode; ///< single, split, three
    int phase_count = 0;
    std::string metering_status;           ///< normal, not-metering, check-wiring ("" if absent)
    std::vector<std::string> status_flags; ///< empty when all is well (absent on old firmware)
};

/// Where grid power comes from.
enum class GridSource {
    None,             ///< no enabled consumption CT: grid power cannot be measured
    NetConsumption,   ///< the CT sits at the grid connection: its power is grid power
    TotalConsumption, ///< the CT measures the load: grid = load − production, per phase
};

struct MeterSetup {
    std::vector<MeterEntry> meters; ///< every meter listed, enabled or not
    GridSource source = GridSource::None;
    std::optional<MeterEntry> consumption; ///< the enabled consumption CT
    std::optional<MeterEntry> production;  ///< the enabled production CT
    int phase_count = 0;                   ///< max phaseCount over the enabled meters, 1…3
    /// Why source is None, for the log ("no CTs", "the consumption CT is disabled", ...).
    std::string reason;

    bool IsEnabled(std::uint64_t eid) const noexcept;
};

/// Throws EnvoyError: Missing for {"error": ...} bodies, BadData for anything else unexpected.
/// An empty array is a valid answer (a gateway without CTs).
MeterSetup ParseMeters(std::string_view body);

/// One line per enabled meter that does not report normal metering, for a warning.
std::vector<std::string> MeterProblems(const MeterSetup& setup);

} // namespace meteremu::envoy
