// SPDX-License-Identifier: MIT
// Import and export energy per phase, integrated from power samples, for sources that give
// grid power but no grid energy counters (an Envoy's total-consumption CT or /production.json,
// an HTTP JSON source or an MQTT topic of power only). Shared by the backends that need it. The
// counters live in a small file in the state directory, so a restart loses nothing.
#pragma once

#include "core/reading.hpp"

#include <array>
#include <filesystem>
#include <optional>
#include <string>

namespace meteremu {

class EnergyCounter {
public:
    /// `max_gap`: two samples further apart than this are not joined (what happened in between
    /// is unknown, e.g. during an outage).
    EnergyCounter(std::filesystem::path file, Seconds max_gap) noexcept;

    /// Loads the counters saved for `serial` (whatever names the source); a file saved for
    /// another one is ignored. Throws std::runtime_error when the file exists but cannot be
    /// read or parsed.
    void Load(const std::string& serial);

    /// Integrates from the previous sample to this one (trapezoids, split where the power
    /// crosses zero) and writes the counters into `reading`.
    void Add(Reading& reading, SteadyTime at);

    /// Writes the counters atomically. Throws std::system_error.
    void Save() const;
    /// Saves when `interval` passed since the last save (or attempt); returns whether it did.
    bool SaveIfDue(SteadyTime now, Seconds interval);
    /// SaveIfDue (an `interval` of 0 saves now) that never throws: the error of a failure
    /// that begins a run of failures, for the caller to log once; nullopt otherwise (saved,
    /// not due, or failing again). A save that works again ends the run.
    std::optional<std::string> TrySaveIfDue(SteadyTime now, Seconds interval) noexcept;

    double ImportWh(std::size_t phase) const noexcept { return import_wh_[phase]; }
    double ExportWh(std::size_t phase) const noexcept { return export_wh_[phase]; }

private:
    std::filesystem::path file_;
    Seconds max_gap_;
    std::string serial_;
    std::array<double, kPhaseCount> import_wh_{};
    std::array<double, kPhaseCount> export_wh_{};
    std::optional<std::array<double, kPhaseCount>> last_power_;
    SteadyTime last_at_{};
    SteadyTime saved_at_{};
    bool save_failing_ = false;
};

} // namespace meteremu
