// SPDX-License-Identifier: MIT
// What each battery's firmware does with one grid reading: the new power it commands, from
// the reading, its present AC output and its last command (W; + discharges, − charges; a
// grid reading is + while importing). Every law found is integral-like: it adds the reading
// to what it already does. What each law is based on: docs/simulator.md#battery-models.
#pragma once

#include <memory>

namespace meteremu::sim {

class ControlLaw {
public:
    virtual ~ControlLaw() = default;
    virtual double Next(double reading_w, double output_w, double setpoint_w) = 0;
};

/// The Marstek Venus family's ramp law (HMG-50 and, with a ±10 W deadband and whole-watt
/// steps, the Venus E 3.0).
struct MarstekRampSpec {
    double jump_w = 50;        ///< a jump larger than this …
    double explained_w = 20;   ///< … with the own output moving less than this is held once
    double idle_band_w = 20;   ///< idle (|output| < 1 W) and |reading| below this: stay idle
    double import_hold_w = 10; ///< 0 ≤ reading < this: hold (leaves a little import)
    double deadband_w = 0;     ///< |reading| ≤ this: hold
    bool whole_watts = false;
    double limit_w = 2500;
};

class MarstekRampLaw final : public ControlLaw {
public:
    explicit MarstekRampLaw(MarstekRampSpec spec) noexcept : spec_(spec) {}
    double Next(double reading_w, double output_w, double setpoint_w) override;

    /// The step cap of a ramp counter value (−5 … +5; + discharge).
    static double Gain(int ramp) noexcept;
    int Ramp() const noexcept { return ramp_; }

private:
    bool HoldsUnexplainedJump(double reading_w, double output_w) noexcept;
    void AdvanceRamp(double reading_w) noexcept;

    MarstekRampSpec spec_;
    bool have_last_ = false;
    double last_reading_w_ = 0;
    double last_output_w_ = 0;
    bool jump_pending_ = false;
    double pending_reading_w_ = 0;
    int ramp_ = 0;
    double ramp_reading_w_ = 0;
};

/// Venus D: setpoint += ratio·(reading − standard) − 5 W outside a ±11 W deadband.
struct VenusDSpec {
    double ratio = 1.0;
    double standard_w = 0;
    double deadband_w = 11;
    double max_discharge_w = 2200;
    double max_charge_w = 800;
};

class VenusDLaw final : public ControlLaw {
public:
    explicit VenusDLaw(VenusDSpec spec) noexcept : spec_(spec) {}
    double Next(double reading_w, double output_w, double setpoint_w) override;

private:
    VenusDSpec spec_;
};

/// B2500: setpoint = output + 0.9·reading, ±10 W hysteresis, at most ~17 W per cycle, never
/// charging from AC, and not below ~80 W once it has reached it.
struct B2500Spec {
    double factor = 0.9;
    double hysteresis_w = 10;
    double step_w = 17;
    double min_output_w = 80;
    double max_output_w = 800;
};

class B2500Law final : public ControlLaw {
public:
    explicit B2500Law(B2500Spec spec) noexcept : spec_(spec) {}
    double Next(double reading_w, double output_w, double setpoint_w) override;

private:
    B2500Spec spec_;
    bool reached_min_ = false;
};

/// A Hoymiles-like fast integrator: setpoint = output + gain·reading, every reply it gets.
struct IntegratorSpec {
    double gain = 1.0;
    double max_discharge_w = 800;
    double max_charge_w = 800;
};

class IntegratorLaw final : public ControlLaw {
public:
    explicit IntegratorLaw(IntegratorSpec spec) noexcept : spec_(spec) {}
    double Next(double reading_w, double output_w, double setpoint_w) override;

private:
    IntegratorSpec spec_;
};

} // namespace meteremu::sim
