// SPDX-License-Identifier: MIT
// meteremu in the loop, in-process: samples are published into a real MeterState, and every
// battery poll takes the path a reply takes in the daemon: MeterState::View under the
// freshness policy, then the serve policy. "main" answers every poll with the newest reading,
// as meteremu on main does; the gated policies answer through core/sample_gate.
#pragma once

#include "core/meter_state.hpp"
#include "meter_source.hpp"
#include "random.hpp"
#include "sim_time.hpp"

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
    SimTime at = 0;    ///< when it is sent
    double grid_w = 0; ///< the total active power it carries
    std::uint64_t generation = 0;
    SimTime received_at = 0; ///< when meteremu received that sample
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

/// Publishes a sample as the daemon's backend would (one phase carrying the total).
Reading SampleReading(const Sample& sample, SimTime now);

/// What View(now) serves, as a reply, or nothing (on_stale = silent).
std::optional<Served> ServeView(const MeterView& view, int client, std::uint64_t poll, SimTime at);

/// Serves the newest reading to every poll: meteremu as on main.
class NewestPath final : public ServedPath {
public:
    explicit NewestPath(Random random);
    std::vector<Served> Publish(const Sample& sample, SimTime now) override;
    PollOutcome Poll(int client, std::uint64_t poll, SimTime now) override;
    std::vector<Served> Expire(SimTime) override { return {}; }

private:
    MeterState state_;
    Random random_;
};

/// A reply from the cache takes tens of microseconds in the daemon (bench/ measures it).
SimTime CachedReplyLatency(Random& random);

/// "main", or a gated policy ("repeat", "hold", "drop"); null for an unknown name.
std::unique_ptr<ServedPath> MakeServedPath(std::string_view policy, Random random);
std::vector<std::string> PolicyNames();

} // namespace meteremu::sim
