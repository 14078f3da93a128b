// SPDX-License-Identifier: MIT
// The [frontend] keys of what is served to each client and when: the sample gate's policy per
// transport (udp_repeat_policy, http_repeat_policy, websocket_repeat_policy, max_hold) and the
// signal shaping (offset_a…c, scale_a…c, slew_limit).
#pragma once

#include "config/config.hpp"
#include "config/config_section.hpp"

namespace meteremu {

/// Reads the gate's keys into `gating`, leaving the defaults of absent ones.
void ParseSampleGating(ConfigSection& section, SampleGating& gating);

/// Reads the shaping keys into `shaping`, leaving the defaults (no shaping) of absent ones.
void ParseSignalShaping(ConfigSection& section, SignalShaping& shaping);

} // namespace meteremu
