// SPDX-License-Identifier: MIT
#include "simulation.hpp"

#include "frontends/ct002/balancer.hpp"
#include "served_path.hpp"

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <queue>
#include <stdexcept>

namespace meteremu::sim {
namespace {

enum class EventKind { SampleArrives, PollFires, ReplyArrives, PollTimesOut };

struct Event {
    SimTime at = 0;
    std::uint64_t order = 0; ///< ties keep their scheduling order
    EventKind kind = EventKind::PollFires;
    int battery = 0;
    std::uint64_t poll = 0;
    Sample sample;
    Served served;

    bool operator>(const Event& other) const noexcept {
        return at != other.at ? at > other.at : order > other.order;
    }
};

/// What the loop keeps per battery besides the model.
struct Client {
    Battery battery;
    std::size_t phase = 0; ///< 0, 1, 2: A, B, C
    Random random;
    std::optional<std::uint64_t> waiting_for; ///< the outstanding poll of a battery that waits
    std::uint64_t last_sample = 0;
    /// As the meter knows it: the output its last poll reported, and that of the sample.
    double reported_w = 0;
    ct002::Participant shared;
    SimTime last_shared_at = 0; ///< when it last got a shared reading
    SimTime last_step_at = 0;   ///< when its last balancing step was due
};

class Loop {
public:
    explicit Loop(const RunSpec& spec);
    RunTrace Run();

private:
    void Schedule(Event event);
    void SchedulePoll(int battery, SimTime after);
    void Handle(const Event& event);
    void FirePoll(int battery, SimTime now);
    void SendReply(const Served& served);
    void ReplyArrives(const Event& event);
    void PollTimesOut(const Event& event);
    void StepPhysics(std::size_t tick);
    double ReadingFor(int battery, const Served& served);

    Random random_;
    HouseProfile house_;
    MeterSource source_;
    std::unique_ptr<ServedPath> path_;
    std::vector<Client> clients_;
    std::priority_queue<Event, std::vector<Event>, std::greater<>> queue_;
    std::uint64_t next_order_ = 0;
    RunTrace trace_;
    Meter meter_;
    std::uint64_t shared_sample_ = 0; ///< the sample Participant::output_w is of
    ct002::BalanceSettings balance_;
    SimTime moving_at_ = 0; ///< when a reading last showed the grid moving
    static constexpr double kStillS = 10;
};

Battery BatteryOrThrow(const std::string& model) {
    std::optional<Battery> battery = MakeBattery(model);
    if (!battery) throw std::invalid_argument("unknown battery model: " + model);
    return std::move(*battery);
}

/// "hmg50@B": the model and the phase it is connected to and regulates on (A by default).
std::pair<std::string, std::size_t> ModelAndPhase(const std::string& name) {
    std::size_t at = name.find('@');
    if (at == std::string::npos) return {name, 0};
    std::string phase = name.substr(at + 1);
    if (phase != "A" && phase != "B" && phase != "C")
        throw std::invalid_argument("expected the phase A, B or C after @, got " + name);
    return {name.substr(0, at), static_cast<std::size_t>(phase[0] - 'A')};
}

Loop::Loop(const RunSpec& spec)
    : random_(spec.seed), house_(BuildHouse(spec.house, random_)),
      source_(spec.source, random_.Fork()),
      path_(MakeServedPath(spec.policy, random_.Fork(), spec.shaping)), meter_(spec.meter),
      balance_(spec.balance) {
    if (!path_) throw std::invalid_argument("unknown policy: " + spec.policy);
    for (const std::string& name : spec.batteries) {
        auto [model, phase] = ModelAndPhase(name);
        clients_.push_back({BatteryOrThrow(model), phase, random_.Fork(), std::nullopt, 0, 0, {}});
        clients_.back().shared.ac_charging = clients_.back().battery.Spec().max_charge_w > 0;
    }
    trace_.events = house_.events;
    trace_.battery_w.resize(clients_.size());
    for (int index = 0; index < static_cast<int>(clients_.size()); ++index)
        SchedulePoll(index, FromSeconds(clients_[index].random.Uniform(0, 1)));
}

void Loop::Schedule(Event event) {
    event.order = next_order_++;
    queue_.push(std::move(event));
}

void Loop::SchedulePoll(int battery, SimTime after) {
    const BatterySpec& spec = clients_[battery].battery.Spec();
    double jitter = spec.poll_jitter_s;
    double wait = spec.poll_interval_s +
                  (jitter > 0 ? clients_[battery].random.Uniform(-jitter, jitter) : 0.0);
    Schedule({.at = after + FromSeconds(std::max(0.01, wait)),
              .kind = EventKind::PollFires,
              .battery = battery});
}

void Loop::FirePoll(int battery, SimTime now) {
    Client& client = clients_[battery];
    client.reported_w = client.battery.Output();
    std::uint64_t poll = trace_.polls.size();
    trace_.polls.push_back({.battery = battery, .fired_at = now});
    PollOutcome outcome = path_->Poll(battery, poll, now);
    if (outcome.reply) SendReply(*outcome.reply);
    const BatterySpec& spec = client.battery.Spec();
    if (spec.waits_for_reply) {
        client.waiting_for = poll;
        Schedule({.at = now + FromSeconds(spec.reply_timeout_s),
                  .kind = EventKind::PollTimesOut,
                  .battery = battery,
                  .poll = poll});
    } else {
        SchedulePoll(battery, now);
    }
}

void Loop::SendReply(const Served& served) {
    Client& client = clients_[served.client];
    PollRecord& record = trace_.polls[served.poll];
    record.repeat = served.sample == client.last_sample;
    client.last_sample = served.sample;
    record.latency_us = static_cast<double>(served.at - record.fired_at);
    Schedule({.at = served.at,
              .kind = EventKind::ReplyArrives,
              .battery = served.client,
              .poll = served.poll,
              .served = served});
}

void Loop::ReplyArrives(const Event& event) {
    Client& client = clients_[event.battery];
    const BatterySpec& spec = client.battery.Spec();
    if (spec.waits_for_reply && client.waiting_for != event.poll) return; // gave up on it
    PollRecord& record = trace_.polls[event.poll];
    record.answered = true;
    record.sample_age_s = ToSeconds(event.served.at - event.served.received_at);
    client.battery.OnReading(ReadingFor(event.battery, event.served));
    if (spec.waits_for_reply) {
        client.waiting_for.reset();
        SchedulePoll(event.battery, event.at + FromSeconds(spec.cooldown_s));
    }
}

double Loop::ReadingFor(int battery, const Served& served) {
    // A Pro 3EM serves the sum (a Venus regulates on total_act_power); a CT002 the battery's
    // phase. Every battery of the simulator is live and counted on its phase.
    if (meter_ == Meter::Shelly) return served.grid_w;
    Client& me = clients_[battery];
    double phase_grid = served.phase_w[me.phase];
    auto on_phase = [&me](const Client& client) { return client.phase == me.phase; };
    bool on_sum = meter_ == Meter::Ct002Active;
    if (meter_ == Meter::Ct002Relay)
        return phase_grid / static_cast<double>(std::ranges::count_if(clients_, on_phase));
    if (served.sample != shared_sample_) {
        shared_sample_ = served.sample;
        for (Client& client : clients_)
            client.shared.output_w = client.reported_w;
    }
    double interval = ct002::BalanceInterval(balance_);
    if (std::abs(served.grid_w) >= ct002::MovingGridW(balance_)) moving_at_ = served.at;
    me.shared.may_step = interval > 0 && ToSeconds(served.at - me.last_step_at) >= interval &&
                         ToSeconds(served.at - moving_at_) >= kStillS;
    if (me.shared.may_step) me.last_step_at = served.at;
    std::vector<ct002::Participant> group;
    std::size_t self = 0;
    for (const Client& client : clients_) {
        if (&client == &me) self = group.size();
        if (on_sum || on_phase(client)) {
            group.push_back(client.shared);
            group.back().may_step = &client == &me && me.shared.may_step;
        }
    }
    std::vector<double> readings(group.size());
    ct002::ShareReadings(group, on_sum ? served.grid_w : phase_grid, balance_, readings);
    double since = ToSeconds(served.at - me.last_shared_at);
    me.last_shared_at = served.at;
    return ct002::Paced(readings[self], since, balance_);
}

void Loop::PollTimesOut(const Event& event) {
    Client& client = clients_[event.battery];
    if (client.waiting_for != event.poll) return; // answered in time
    client.waiting_for.reset();
    SchedulePoll(event.battery, event.at);
}

void Loop::Handle(const Event& event) {
    switch (event.kind) {
    case EventKind::SampleArrives:
        for (const Served& served : path_->Publish(event.sample, event.at))
            SendReply(served);
        break;
    case EventKind::PollFires:
        FirePoll(event.battery, event.at);
        break;
    case EventKind::ReplyArrives:
        ReplyArrives(event);
        break;
    case EventKind::PollTimesOut:
        PollTimesOut(event);
        break;
    }
}

void Loop::StepPhysics(std::size_t tick) {
    double supplied = 0, discharge_room = 0, charge_room = 0;
    std::array<double, 3> phases{house_.load_w[tick], 0, 0};
    if (!house_.phase_load_w[0].empty())
        for (std::size_t i = 0; i < 3; ++i)
            phases[i] = house_.phase_load_w[i][tick];
    for (std::size_t index = 0; index < clients_.size(); ++index) {
        Battery& battery = clients_[index].battery;
        battery.Advance(trace_.tick_s);
        supplied += battery.Output();
        phases[clients_[index].phase] -= battery.Output();
        discharge_room += battery.DischargeHeadroom();
        charge_room += battery.ChargeHeadroom();
        trace_.battery_w[index].push_back(static_cast<float>(battery.Output()));
    }
    double grid = house_.load_w[tick] - supplied;
    trace_.grid_w.push_back(static_cast<float>(grid));
    trace_.load_w.push_back(house_.load_w[tick]);
    trace_.discharge_headroom_w.push_back(static_cast<float>(discharge_room));
    trace_.charge_headroom_w.push_back(static_cast<float>(charge_room));
    SimTime now = static_cast<SimTime>(tick) * kTick;
    if (std::optional<Sample> sample = source_.Tick(now, phases))
        Schedule({.at = sample->arrives_at, .kind = EventKind::SampleArrives, .sample = *sample});
}

RunTrace Loop::Run() {
    for (std::size_t tick = 0; tick < house_.load_w.size(); ++tick) {
        StepPhysics(tick);
        SimTime end = static_cast<SimTime>(tick + 1) * kTick;
        while (!queue_.empty() && queue_.top().at < end) {
            Event event = queue_.top();
            queue_.pop();
            Handle(event);
        }
        for (const Served& served : path_->Expire(end))
            SendReply(served);
    }
    return std::move(trace_);
}

} // namespace

RunTrace Simulate(const RunSpec& spec) {
    return Loop(spec).Run();
}

} // namespace meteremu::sim
