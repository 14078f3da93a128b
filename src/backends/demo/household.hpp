// SPDX-License-Identifier: MIT
// A simulated three-phase household behind a grid meter: a base load, a fridge cycling,
// appliances switching on at random by time of day, and a PV system following the sun with
// passing clouds, so grid power crosses zero during the day. Deterministic: the same seed
// stepped through the same times gives the same readings.
#pragma once

#include "backends/demo/random.hpp"
#include "core/reading.hpp"

#include <array>
#include <optional>
#include <vector>

namespace meteremu::demo {

struct Appliance {
    const char* name;
    Phase phase;
    double watts;
    double power_factor;
    double minutes;   ///< typical run time
    double per_day;   ///< expected starts per day within the window
    double from_hour; ///< starts happen between from_hour and to_hour, local time
    double to_hour;
};

/// A slowly wandering value: first-order lag towards noise, bounded.
class Drift {
public:
    Drift(double sigma, double tau_seconds) noexcept : sigma_(sigma), tau_(tau_seconds) {}
    double Step(Random& random, double dt) noexcept;
    double Value() const noexcept { return value_; }

private:
    double sigma_;
    double tau_;
    double value_ = 0;
};

class Household {
public:
    explicit Household(std::uint64_t seed);

    /// Advances the simulation to `now` (local time of day drives PV and appliances) and
    /// returns what a grid meter measures then. Times must not go backwards.
    Reading Step(WallTime now);

private:
    struct Running {
        const Appliance* appliance;
        WallTime until;
    };
    struct PhaseLoad {
        double watts = 0;
        double vars = 0;
    };

    void SwitchAppliances(WallTime now, double hour, double dt);
    std::array<PhaseLoad, kPhaseCount> Loads(WallTime now);
    double PvWattsPerPhase(double hour) const noexcept;
    PhaseReading Measure(size_t i, const PhaseLoad& load, double pv_watts, double dt);

    Random random_;
    std::vector<Running> running_;
    std::optional<WallTime> last_;
    Drift clouds_{0.35, 600};
    Drift frequency_{0.02, 30};
    std::array<Drift, kPhaseCount> voltage_{Drift{1.5, 120}, Drift{1.5, 120}, Drift{1.5, 120}};
    std::array<double, kPhaseCount> import_wh_{};
    std::array<double, kPhaseCount> export_wh_{};
};

} // namespace meteremu::demo
