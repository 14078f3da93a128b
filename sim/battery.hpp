// SPDX-License-Identifier: MIT
// A battery inverter on the AC side: how often it asks for the grid reading, what it does with
// the answer (its ControlLaw), and how its output follows: a slew in W/s, power limits, a
// state of charge. Positive power discharges into the house.
#pragma once

#include "control_laws.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meteremu::sim {

struct BatterySpec {
    std::string model;
    double poll_interval_s = 1;
    double poll_jitter_s = 0;    ///< each wait is poll_interval_s ± this (uniform)
    bool waits_for_reply = true; ///< false: fires every interval whatever came back
    double reply_timeout_s = 1;  ///< gives up on a poll after this
    double cooldown_s = 0;       ///< extra wait after a reply it applied
    double slew_w_per_s = 200;
    double max_discharge_w = 2500;
    double max_charge_w = 2500; ///< 0: cannot charge from AC
    double capacity_wh = 5120;
    double initial_soc = 0.5;
    double min_soc = 0.1;
    double initial_output_w = 0;
};

class Battery {
public:
    Battery(BatterySpec spec, std::unique_ptr<ControlLaw> law);

    /// A reading came back: the law sets the new command.
    void OnReading(double reading_w);
    /// The inverter moves toward the command for `seconds`, within limits and charge.
    void Advance(double seconds);

    double Output() const noexcept { return output_w_; }
    double Setpoint() const noexcept { return setpoint_w_; }
    double Soc() const noexcept { return soc_; }
    /// How much more it could discharge (import it could cover) and charge (export it could
    /// absorb) right now.
    double DischargeHeadroom() const noexcept;
    double ChargeHeadroom() const noexcept;
    const BatterySpec& Spec() const noexcept { return spec_; }

private:
    double Limited(double watts) const noexcept;

    BatterySpec spec_;
    std::unique_ptr<ControlLaw> law_;
    double setpoint_w_ = 0;
    double output_w_ = 0;
    double soc_ = 0.5;
};

/// hmg50, hmg50-fast, hmg50-slow, venus-e3, venus-d, b2500, hoymiles
/// (docs/simulator.md#battery-models).
std::optional<Battery> MakeBattery(std::string_view model);
std::vector<std::string> BatteryModelNames();

} // namespace meteremu::sim
