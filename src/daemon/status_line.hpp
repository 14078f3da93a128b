// SPDX-License-Identifier: MIT
// The one-line summary systemd shows in `systemctl status meteremu` (sd_notify STATUS=), e.g.
//   grid +1234.5 W · envoy ok, reading 0.8 s old · 2 clients
// Secrets never get here: the backend's Health() is written to be shown.
#pragma once

#include "core/meter_state.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace meteremu {

struct StatusInputs {
    std::shared_ptr<const Reading> latest; ///< null before the first reading
    Seconds stale_after{10.0};
    /// What the frontends serve while the reading is stale, each mode once, in the order of
    /// the frontends that use it.
    std::vector<OnStale> on_stale;
    std::string health;      ///< Backend::Health(), e.g. "envoy ok"
    std::size_t clients = 0; ///< distinct clients in the last minute (ClientTracker)
};

std::string FormatStatus(const StatusInputs& inputs, SteadyTime now);

/// "0.8 s", "42 s", "5 min": how old a reading is, as precise as is useful.
std::string FormatAge(Seconds age);

} // namespace meteremu
