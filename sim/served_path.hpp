// SPDX-License-Identifier: MIT
// meteremu in the loop, in-process: samples are published into a real MeterState, and every
// battery poll takes the path a reply takes in the daemon: MeterState::View under the
// freshness policy, then the serve policy. "main" answers every poll with the newest reading,
// as meteremu on main does; the gated policies answer through core/sample_gate.
#pragma once

#include "core/meter_state.hpp"
#include "core/sample_gate.hpp"
#include "core/signal_shaping.hpp"
#include "meter_source.hpp"
#include "random.hpp"
#include "sim_time.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meteremu::sim {

/// A reply meteremu sends to one poll.
struct Served {
    int client = 0;
    std::uint64_t poll = 0;
    SimTime at = 0;                  ///< when it is sent
    double grid_w = 0;               ///< the total active power it carries
    std::array<double, 3> phase_w{}; ///< and per phase
    std::uint64_t sample = 0;        ///< MeterView::sample: moves with each new reading
    SimTime received_at = 0;         ///< when meteremu received that sample
};

/// What became of a poll at once.
struct PollOutcome {
    std::optional<Served> reply; ///< answered now
    bool held = false;           ///< kept for a later sample (released by Publish or Expire)
};

class ServedPath {
public:
    virtual ~ServedPath() = default;

    /// A sample reaches meteremu at `now`; replies to polls held for it.
    virtual std::vector<Served> Publish(const Sample& sample, SimTime now) = 0;
    virtual PollOutcome Poll(int client, std::uint64_t poll, SimTime now) = 0;
    /// Held polls whose wait ended by `now` (answered or given up, as the policy says).
    virtual std::vector<Served> Expire(SimTime now) = 0;
};

/// Publishes a sample as the daemon's backend would (three phases; a one-phase house has it
/// all on A).
Reading SampleReading(const Sample& sample, SimTime now);

/// What View(now) serves, as a reply, or nothing (on_stale = silent).
std::optional<Served> ServeView(const MeterView& view, int client, std::uint64_t poll, SimTime at);

/// Serves the newest reading to every poll: meteremu as on main.
class NewestPath final : public ServedPath {
public:
    explicit NewestPath(Random random, SignalShaping shaping = {});
    std::vector<Served> Publish(const Sample& sample, SimTime now) override;
    PollOutcome Poll(int client, std::uint64_t poll, SimTime now) override;
    std::vector<Served> Expire(SimTime) override { return {}; }

private:
    MeterState state_;
    Random random_;
};

/// Serves through meteremu's SampleGate: a poll gets a sample new to its battery at once;
/// without one the gate's policy repeats the newest, holds the poll for the next sample (up to
/// max_hold) or drops it. A battery that polls again while held replaces its held poll, as
/// the transports keep only a client's newest poll.
class GatedPath final : public ServedPath {
public:
    GatedPath(GatePolicy policy, Random random, SignalShaping shaping = {});
    std::vector<Served> Publish(const Sample& sample, SimTime now) override;
    PollOutcome Poll(int client, std::uint64_t poll, SimTime now) override;
    std::vector<Served> Expire(SimTime now) override;

    GateCounters Counters() const noexcept { return gate_.Counters(); }

private:
    struct HeldPoll {
        int client = 0;
        std::uint64_t poll = 0;
        SimTime deadline = 0;
    };

    /// The gate's answer to a poll (new, or held and asked again) at `now`.
    std::optional<GateDecision> Decide(int client, bool recheck, SimTime now, MeterView& view);
    /// Asks the gate again for every held poll (on a new sample, or when deadlines pass).
    std::vector<Served> Recheck(SimTime now, bool only_due);

    MeterState state_;
    SampleGate gate_;
    Random random_;
    std::vector<HeldPoll> held_;
};

/// A reply from the cache takes tens of microseconds in the daemon (bench/ measures it).
SimTime CachedReplyLatency(Random& random);

/// "main" (NewestPath), or the gate under a policy: "repeat", "hold" (max_hold 2 s, the
/// gate's default), "hold1" (max_hold 1 s), "drop"; null for an unknown name.
/// `shaping` is what the user set for the frontend (off by default), applied by MeterState.
std::unique_ptr<ServedPath> MakeServedPath(std::string_view policy, Random random,
                                           const SignalShaping& shaping = {});
/// The policies the matrix compares: main, hold, drop.
std::vector<std::string> PolicyNames();
/// Every name MakeServedPath knows.
std::vector<std::string> AllPolicyNames();

} // namespace meteremu::sim
