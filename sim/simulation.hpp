// SPDX-License-Identifier: MIT
// One run of the closed loop: the house, the source meter, meteremu (a ServedPath) and the
// batteries, advanced tick by tick on the simulated clock, with the polls, samples and replies
// in between at their own microsecond. Deterministic from the seed.
#pragma once

#include "battery.hpp"
#include "core/signal_shaping.hpp"
#include "frontends/ct002/balancer.hpp"
#include "house.hpp"
#include "meter_source.hpp"
#include "sim_time.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace meteremu::sim {

/// What meter the batteries poll: a Shelly gives each the sum of the phases; a Marstek CT002 in
/// relay mode gives each its phase's grid and the count of batteries on it, which each divides
/// by; in meteremu's active mode (frontends/ct002/balancer.hpp) each gets its part of the sum
/// (Ct002Active, the daemon's default) or of its phase (Ct002ActivePhase).
enum class Meter { Shelly, Ct002Relay, Ct002Active, Ct002ActivePhase };

struct RunSpec {
    std::string scenario;
    HouseSpec house;
    SourceSpec source;
    std::vector<std::string> batteries; ///< model names, one battery each
    std::string policy = "main";
    std::uint64_t seed = 1;
    SignalShaping shaping; ///< the frontend's signal shaping (off by default)
    Meter meter = Meter::Shelly;
    ct002::BalanceSettings balance; ///< Ct002Active's
};

/// One poll as the battery saw it.
struct PollRecord {
    int battery = 0;
    SimTime fired_at = 0;
    bool answered = false;   ///< a reply the battery took (in time, for those that wait)
    bool repeat = false;     ///< it carried a sample already served to that battery
    double latency_us = 0;   ///< poll to reply sent, when answered
    double sample_age_s = 0; ///< reply sent − sample received by meteremu
};

/// Everything the metrics read: per tick, and per poll.
struct RunTrace {
    double tick_s = ToSeconds(kTick);
    std::vector<float> grid_w;                 ///< true grid power (+ import)
    std::vector<float> load_w;                 ///< the house without the batteries (PV subtracted)
    std::vector<std::vector<float>> battery_w; ///< per battery, + discharge
    std::vector<float> discharge_headroom_w;   ///< summed over the batteries
    std::vector<float> charge_headroom_w;
    std::vector<LoadEvent> events;
    std::vector<PollRecord> polls;
};

/// Throws std::invalid_argument for an unknown battery model or policy.
RunTrace Simulate(const RunSpec& spec);

} // namespace meteremu::sim
