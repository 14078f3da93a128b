// SPDX-License-Identifier: MIT
// The components of a Pro 3EM per profile and of the two-channel EM1 meters, in the firmware's
// (alphabetical) order, each with its status and config renderer. Shelly.GetStatus,
// Shelly.GetConfig, Shelly.GetComponents, the <Component>.GetStatus/GetConfig methods and
// NotifyStatus all walk this one table, so a component's bytes are the same wherever it appears.
#pragma once

#include "core/meter_state.hpp"
#include "frontends/shelly/identity.hpp"
#include "frontends/shelly/sys_info.hpp"

#include <span>
#include <string>
#include <string_view>

namespace meteremu::shelly {

/// Everything a status renders from, at one moment.
struct StatusInputs {
    const Identity& identity;
    const SysInfo& sys;
    const MeterView& meter;
};

enum class ComponentKind {
    Other,
    Power,  ///< em:0 / em1:N: instantaneous values
    Energy, ///< emdata:0 / em1data:N: counters
};

struct Component {
    std::string_view key; ///< "em1:2", "sys"
    int id;               ///< instance number; 0 for singletons
    ComponentKind kind;
    void (*status)(std::string& out, const StatusInputs& inputs, int id);
    void (*config)(std::string& out, const Identity& identity, int id);
};

std::span<const Component> Components(Layout layout) noexcept;

/// The component called `key` ("em:0", "wifi"), or null.
const Component* FindComponent(Layout layout, std::string_view key) noexcept;

/// Channel `id` (0 or 1) of a two-channel EM1 meter: channel 0 the phases' net sum (voltage
/// and frequency of phase a) or the phase `channel0` names; channel 1 idle on the same mains.
PhaseReading Em1Channel(const Reading& reading, Channel0 channel0, int id) noexcept;

/// Whether the meter view has data for a component of `kind` (always for Other). Energy
/// counters need a real reading: under on_stale = zero, powers read 0 before the first one,
/// but counters are never invented.
bool HasData(ComponentKind kind, const MeterView& meter) noexcept;

/// Shelly.GetStatus: {"ble":{...},...} with every component.
void AppendStatusObject(std::string& out, const StatusInputs& inputs);

/// Shelly.GetConfig: {"ble":{...},...} with every component.
void AppendConfigObject(std::string& out, const Identity& identity);

/// ,"<key>":<status> for every component of `kind` (NotifyStatus deltas).
void AppendComponentsOfKind(std::string& out, const StatusInputs& inputs, ComponentKind kind);

} // namespace meteremu::shelly
