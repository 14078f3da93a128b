// SPDX-License-Identifier: MIT
#include "served_path.hpp"

#include <chrono>
#include <cmath>

namespace meteremu::sim {

Reading SampleReading(const Sample& sample, SimTime now) {
    Reading reading;
    for (std::size_t i = 0; i < 3; ++i) {
        PhaseReading& phase = reading.phases[i];
        phase.voltage = 230;
        phase.act_power = sample.phase_w[i];
        phase.aprt_power = std::abs(sample.phase_w[i]);
        phase.current = phase.aprt_power / phase.voltage;
        phase.power_factor = PowerFactor(phase.act_power, phase.aprt_power);
        phase.frequency = 50;
    }
    reading.measured_at = WallTime{} + std::chrono::microseconds(sample.measured_at);
    reading.received_at = ToSteady(now);
    return reading;
}

std::optional<Served> ServeView(const MeterView& view, int client, std::uint64_t poll, SimTime at) {
    if (!view.reading) return std::nullopt;
    auto received = std::chrono::duration_cast<std::chrono::microseconds>(
        view.reading->received_at - ToSteady(0));
    Served served{client,          poll, at, view.reading->TotalActPower(), {}, view.sample,
                  received.count()};
    for (std::size_t i = 0; i < 3; ++i)
        served.phase_w[i] = view.reading->phases[i].act_power;
    return served;
}

SimTime CachedReplyLatency(Random& random) {
    return static_cast<SimTime>(random.Uniform(40, 160));
}

NewestPath::NewestPath(Random random, SignalShaping shaping)
    : state_(SiteLayout{.phases = 3}, FreshnessPolicy{}, shaping), random_(random) {}

std::vector<Served> NewestPath::Publish(const Sample& sample, SimTime now) {
    state_.Publish(SampleReading(sample, now));
    return {};
}

PollOutcome NewestPath::Poll(int client, std::uint64_t poll, SimTime now) {
    MeterView view = state_.View(ToSteady(now));
    return {ServeView(view, client, poll, now + CachedReplyLatency(random_)), false};
}

GatedPath::GatedPath(GatePolicy policy, Random random, SignalShaping shaping)
    : state_(SiteLayout{.phases = 3}, FreshnessPolicy{}, shaping), gate_(policy), random_(random) {}

std::optional<GateDecision> GatedPath::Decide(int client, bool recheck, SimTime now,
                                              MeterView& view) {
    view = state_.View(ToSteady(now));
    if (!view.reading) return std::nullopt; // stale under on_stale = silent: no answer
    auto key = static_cast<ClientKey>(client);
    return recheck ? gate_.Recheck(key, view.sample, ToSteady(now))
                   : gate_.Admit(key, view.sample, ToSteady(now));
}

PollOutcome GatedPath::Poll(int client, std::uint64_t poll, SimTime now) {
    std::erase_if(held_, [client](const HeldPoll& held) { return held.client == client; });
    MeterView view;
    std::optional<GateDecision> decision = Decide(client, false, now, view);
    if (!decision) return {};
    if (decision->Answered())
        return {ServeView(view, client, poll, now + CachedReplyLatency(random_)), false};
    if (decision->verdict != GateVerdict::Hold) return {};
    auto deadline =
        std::chrono::duration_cast<std::chrono::microseconds>(decision->deadline - ToSteady(0));
    held_.push_back({client, poll, deadline.count()});
    return {std::nullopt, true};
}

std::vector<Served> GatedPath::Recheck(SimTime now, bool only_due) {
    std::vector<Served> replies;
    std::vector<HeldPoll> still_held;
    for (const HeldPoll& held : held_) {
        if (only_due && held.deadline > now) {
            still_held.push_back(held);
            continue;
        }
        SimTime at = only_due ? held.deadline : now;
        MeterView view;
        std::optional<GateDecision> decision = Decide(held.client, true, at, view);
        if (decision && decision->Answered()) {
            if (auto reply =
                    ServeView(view, held.client, held.poll, at + CachedReplyLatency(random_)))
                replies.push_back(*reply);
        } else if (decision && decision->verdict == GateVerdict::Hold) {
            still_held.push_back(held);
        }
    }
    held_ = std::move(still_held);
    return replies;
}

std::vector<Served> GatedPath::Publish(const Sample& sample, SimTime now) {
    state_.Publish(SampleReading(sample, now));
    return Recheck(now, false);
}

std::vector<Served> GatedPath::Expire(SimTime now) {
    return Recheck(now, true);
}

std::unique_ptr<ServedPath> MakeServedPath(std::string_view policy, Random random,
                                           const SignalShaping& shaping) {
    auto gated = [&](GatePolicy gate) {
        return std::make_unique<GatedPath>(gate, random, shaping);
    };
    if (policy == "main") return std::make_unique<NewestPath>(random, shaping);
    if (policy == "repeat") return gated(GatePolicy{});
    if (policy == "hold") return gated(GatePolicy{.repeat = RepeatPolicy::Hold});
    if (policy == "hold1")
        return gated(GatePolicy{.repeat = RepeatPolicy::Hold, .max_hold = Seconds(1.0)});
    if (policy == "drop") return gated(GatePolicy{.repeat = RepeatPolicy::Drop});
    return nullptr;
}

std::vector<std::string> PolicyNames() {
    return {"main", "hold", "drop"};
}

std::vector<std::string> AllPolicyNames() {
    return {"main", "repeat", "hold", "hold1", "drop"};
}

} // namespace meteremu::sim
