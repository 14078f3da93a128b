// SPDX-License-Identifier: MIT
#include "core/meter_state.hpp"

#include <array>
#include <utility>

namespace meteremu {
namespace {

constexpr std::array<std::pair<std::string_view, OnStale>, 3> kOnStaleNames{{
    {"silent", OnStale::Silent},
    {"zero", OnStale::Zero},
    {"last", OnStale::Last},
}};

/// Served under on_stale = zero before the first reading: zeros, and no energy counters
/// (callers check Freshness::Missing before serving energy).
const std::shared_ptr<const Reading>& AllZeroReading() noexcept {
    static const auto zero = std::make_shared<const Reading>();
    return zero;
}

} // namespace

std::optional<OnStale> ParseOnStale(std::string_view name) noexcept {
    for (const auto& [text, mode] : kOnStaleNames)
        if (text == name) return mode;
    return std::nullopt;
}

std::string_view OnStaleName(OnStale mode) noexcept {
    for (const auto& [text, value] : kOnStaleNames)
        if (value == mode) return text;
    return "?";
}

Reading ZeroedPowers(const Reading& reading) noexcept {
    Reading zeroed = reading;
    for (auto& phase : zeroed.phases) {
        phase.act_power = 0;
        phase.aprt_power = 0;
        phase.current = 0;
        phase.power_factor = 0;
    }
    return zeroed;
}

MeterState::MeterState(SiteLayout layout, FreshnessPolicy policy, SignalShaping shaping) noexcept
    : layout_(layout), policy_(policy), shaping_(shaping) {}

std::shared_ptr<const MeterState::Snapshot>
MeterState::MakeSnapshot(const Reading& raw, std::uint64_t sample, const Reading* slew_from) const {
    // Mapping, shaping and zeroing take well under a microsecond, once per publish: doing them
    // under the lock keeps a concurrent Reconfigure from installing a reading of the old layout.
    auto next = std::make_shared<Snapshot>();
    next->raw = raw;
    next->reading =
        std::make_shared<const Reading>(Shape(MapToSite(raw, layout_), shaping_, slew_from));
    next->zeroed = std::make_shared<const Reading>(ZeroedPowers(*next->reading));
    next->generation = snapshot_ ? snapshot_->generation + 1 : 1;
    next->sample = sample;
    return next;
}

void MeterState::Publish(const Reading& reading) {
    {
        std::lock_guard lock(mutex_);
        snapshot_ = snapshot_
                        ? MakeSnapshot(reading, snapshot_->sample + 1, snapshot_->reading.get())
                        : MakeSnapshot(reading, 1, nullptr);
        ++revision_;
    }
    std::lock_guard lock(listeners_mutex_);
    for (const auto& [id, listener] : listeners_)
        listener();
}

ReadingSubscription MeterState::Subscribe(std::function<void()> listener) const {
    std::lock_guard lock(listeners_mutex_);
    std::uint64_t id = next_listener_++;
    listeners_.emplace_back(id, std::move(listener));
    return ReadingSubscription(this, id);
}

void MeterState::Unsubscribe(std::uint64_t id) const noexcept {
    std::lock_guard lock(listeners_mutex_);
    std::erase_if(listeners_, [id](const auto& entry) { return entry.first == id; });
}

ReadingSubscription& ReadingSubscription::operator=(ReadingSubscription&& other) noexcept {
    if (this != &other) {
        Reset();
        state_ = std::exchange(other.state_, nullptr);
        id_ = other.id_;
    }
    return *this;
}

void ReadingSubscription::Reset() noexcept {
    if (state_) state_->Unsubscribe(id_);
    state_ = nullptr;
}

void MeterState::Reconfigure(SiteLayout layout, FreshnessPolicy policy, SignalShaping shaping) {
    std::lock_guard lock(mutex_);
    layout_ = layout;
    policy_ = policy;
    shaping_ = shaping;
    if (snapshot_)
        snapshot_ = MakeSnapshot(snapshot_->raw, snapshot_->sample, nullptr); // no new sample
    ++revision_; // a new policy may serve differently even without a reading
}

FreshnessPolicy MeterState::Policy() const noexcept {
    std::lock_guard lock(mutex_);
    return policy_;
}

SiteLayout MeterState::Layout() const noexcept {
    std::lock_guard lock(mutex_);
    return layout_;
}

std::shared_ptr<const Reading> MeterState::Latest() const noexcept {
    std::lock_guard lock(mutex_);
    return snapshot_ ? snapshot_->reading : nullptr;
}

Freshness MeterState::FreshnessOf(const Snapshot* snapshot, const FreshnessPolicy& policy,
                                  SteadyTime now) noexcept {
    if (!snapshot) return Freshness::Missing;
    return now - snapshot->reading->received_at <= policy.stale_after ? Freshness::Fresh
                                                                      : Freshness::Stale;
}

MeterStamp MeterState::Stamp(SteadyTime now) const noexcept {
    std::lock_guard lock(mutex_);
    return {revision_, FreshnessOf(snapshot_.get(), policy_, now),
            snapshot_ ? snapshot_->sample : 0};
}

MeterView MeterState::View(SteadyTime now) const noexcept {
    std::unique_lock lock(mutex_);
    std::shared_ptr<const Snapshot> snapshot = snapshot_;
    FreshnessPolicy policy = policy_;
    lock.unlock();
    if (!snapshot) {
        if (policy.on_stale == OnStale::Zero) return {AllZeroReading(), Freshness::Missing, 0};
        return {nullptr, Freshness::Missing, 0};
    }
    if (FreshnessOf(snapshot.get(), policy, now) == Freshness::Fresh)
        return {snapshot->reading, Freshness::Fresh, snapshot->generation, snapshot->sample};
    switch (policy.on_stale) {
    case OnStale::Zero:
        return {snapshot->zeroed, Freshness::Stale, snapshot->generation, snapshot->sample};
    case OnStale::Last:
        return {snapshot->reading, Freshness::Stale, snapshot->generation, snapshot->sample};
    case OnStale::Silent:
        break;
    }
    return {nullptr, Freshness::Stale, snapshot->generation, snapshot->sample};
}

} // namespace meteremu
