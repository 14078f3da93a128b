// SPDX-License-Identifier: MIT
#include "served_path.hpp"

#include <chrono>
#include <cmath>

namespace meteremu::sim {

Reading SampleReading(const Sample& sample, SimTime now) {
    Reading reading;
    PhaseReading& phase = reading[Phase::A];
    phase.voltage = 230;
    phase.act_power = sample.grid_w;
    phase.aprt_power = std::abs(sample.grid_w);
    phase.current = phase.aprt_power / phase.voltage;
    phase.power_factor = PowerFactor(phase.act_power, phase.aprt_power);
    phase.frequency = 50;
    reading.measured_at = WallTime{} + std::chrono::microseconds(sample.measured_at);
    reading.received_at = ToSteady(now);
    return reading;
}

std::optional<Served> ServeView(const MeterView& view, int client, std::uint64_t poll, SimTime at) {
    if (!view.reading) return std::nullopt;
    auto received = std::chrono::duration_cast<std::chrono::microseconds>(
        view.reading->received_at - ToSteady(0));
    return Served{client,          poll, at, view.reading->TotalActPower(), view.generation,
                  received.count()};
}

SimTime CachedReplyLatency(Random& random) {
    return static_cast<SimTime>(random.Uniform(40, 160));
}

NewestPath::NewestPath(Random random)
    : state_(SiteLayout{.phases = 1, .phase = Phase::A}, FreshnessPolicy{}), random_(random) {}

std::vector<Served> NewestPath::Publish(const Sample& sample, SimTime now) {
    state_.Publish(SampleReading(sample, now));
    return {};
}

PollOutcome NewestPath::Poll(int client, std::uint64_t poll, SimTime now) {
    MeterView view = state_.View(ToSteady(now));
    return {ServeView(view, client, poll, now + CachedReplyLatency(random_)), false};
}

std::unique_ptr<ServedPath> MakeServedPath(std::string_view policy, Random random) {
    if (policy == "main") return std::make_unique<NewestPath>(random);
    return nullptr;
}

std::vector<std::string> PolicyNames() {
    return {"main"};
}

} // namespace meteremu::sim
