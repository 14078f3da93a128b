// SPDX-License-Identifier: MIT
#pragma once

#include "core/meter_state.hpp"

namespace meteremu::test {

/// Publishes a reading with `phase_a` on phase A (others zero), as a backend that received
/// it `age` ago would have left it; freshness tests set the age past stale_after.
inline void PublishAged(MeterState& state, const PhaseReading& phase_a, Seconds age = Seconds(0)) {
    Reading reading;
    reading[Phase::A] = phase_a;
    reading.received_at =
        std::chrono::steady_clock::now() - std::chrono::duration_cast<SteadyTime::duration>(age);
    state.Publish(reading);
}

} // namespace meteremu::test
