// SPDX-License-Identifier: MIT
// The latest reading, shared between the backend that publishes it and the frontends that
// serve it. A reading is fresh until `stale_after` passes without a newer one; what a stale
// (or missing) reading turns into is decided here, once, so every transport serves the same.
// A configuration reload changes the site layout and the freshness policy in place
// (Reconfigure), so the latest reading survives a reload and clients are not left without one.
#pragma once

#include "core/reading.hpp"
#include "core/signal_shaping.hpp"
#include "core/site_mapping.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace meteremu {

/// What to serve once the data is stale.
enum class OnStale {
    Silent, ///< nothing: UDP does not reply, RPCs answer an error, the battery falls back
    Zero,   ///< every power reads 0.0 W
    Last,   ///< the last values keep being served
};

std::optional<OnStale> ParseOnStale(std::string_view name) noexcept;
std::string_view OnStaleName(OnStale mode) noexcept;

struct FreshnessPolicy {
    Seconds stale_after{10.0};
    OnStale on_stale = OnStale::Silent;
};

enum class Freshness {
    Fresh,   ///< newer than stale_after
    Stale,   ///< older than stale_after
    Missing, ///< no reading was ever received
};

/// What a frontend may serve at one moment.
struct MeterView {
    /// The reading to serve, already mapped to the site and zeroed under on_stale = zero;
    /// null when nothing may be served (on_stale = silent, or no reading at all).
    std::shared_ptr<const Reading> reading;
    Freshness freshness = Freshness::Missing;
    /// Moves with every publish and reconfiguration; lets callers cache what they render.
    std::uint64_t generation = 0;
    /// Counts new readings only (MeterStamp::sample): what the sample gate compares.
    std::uint64_t sample = 0;
};

/// What a MeterView is served from, without the reading: cheap to compare, to tell whether
/// anything rendered from an earlier view is still what a new one would render.
struct MeterStamp {
    std::uint64_t revision = 0; ///< moves with every Publish and Reconfigure
    Freshness freshness = Freshness::Missing;
    /// Moves with every Publish only: a new reading. Neither a reload nor the reading turning
    /// stale is a new sample (core/sample_gate.hpp). 0: no reading yet.
    std::uint64_t sample = 0;
};

class MeterState;

/// Keeps a listener subscribed to new readings; unsubscribes when destroyed. Once the
/// destructor returns, the listener is not running and is never called again.
class ReadingSubscription {
public:
    ReadingSubscription() noexcept = default;
    ReadingSubscription(const MeterState* state, std::uint64_t id) noexcept
        : state_(state), id_(id) {}
    ReadingSubscription(ReadingSubscription&& other) noexcept
        : state_(std::exchange(other.state_, nullptr)), id_(other.id_) {}
    ReadingSubscription& operator=(ReadingSubscription&& other) noexcept;
    ~ReadingSubscription() { Reset(); }

    void Reset() noexcept;

private:
    const MeterState* state_ = nullptr;
    std::uint64_t id_ = 0;
};

class MeterState {
public:
    /// `shaping` changes each reading after the site mapping (core/signal_shaping.hpp).
    MeterState(SiteLayout layout, FreshnessPolicy policy, SignalShaping shaping = {}) noexcept;

    /// Maps `reading` to the site, shapes it and makes it the latest. Thread-safe.
    void Publish(const Reading& reading);

    /// Calls `listener` after every Publish, on the publishing (backend) thread, until the
    /// subscription is destroyed. A listener must return at once (wake another thread, as
    /// the WebSocket push does) and must not subscribe or unsubscribe. Listening changes no
    /// reading: a frontend, which only reads the state, may listen too.
    [[nodiscard]] ReadingSubscription Subscribe(std::function<void()> listener) const;

    /// The reading to serve at `now` under the freshness policy. Thread-safe and cheap: a
    /// lock held for a pointer copy, no allocation.
    MeterView View(SteadyTime now) const noexcept;

    /// The generation and freshness View(now) would have, without copying the reading out.
    /// Thread-safe; for the hot path of the transports' reply caches.
    MeterStamp Stamp(SteadyTime now) const noexcept;

    /// The latest reading regardless of freshness, or null. For status lines and logs.
    std::shared_ptr<const Reading> Latest() const noexcept;

    /// Applies a new layout, policy and shaping (configuration reload); the latest reading is
    /// mapped and shaped again (with no slew limit: the new shaping applies at once) and counts
    /// as a new generation, but not as a new sample. Thread-safe.
    void Reconfigure(SiteLayout layout, FreshnessPolicy policy, SignalShaping shaping = {});

    /// Copies, since a reload may change them at any time. Thread-safe.
    FreshnessPolicy Policy() const noexcept;
    SiteLayout Layout() const noexcept;

private:
    friend class ReadingSubscription;
    void Unsubscribe(std::uint64_t id) const noexcept;

    struct Snapshot {
        Reading raw; ///< as published, before the site mapping
        std::shared_ptr<const Reading> reading;
        std::shared_ptr<const Reading> zeroed; ///< served when stale under on_stale = zero
        std::uint64_t generation = 0;
        std::uint64_t sample = 0; ///< the publish that brought `raw`
    };

    /// A snapshot of `raw` under the current layout, as sample number `sample`; called with
    /// mutex_ held.
    /// `slew_from` is the reading served before, which the slew limit starts from; null: none.
    std::shared_ptr<const Snapshot> MakeSnapshot(const Reading& raw, std::uint64_t sample,
                                                 const Reading* slew_from) const;
    /// Whether `snapshot` is fresh at `now` under `policy`.
    static Freshness FreshnessOf(const Snapshot* snapshot, const FreshnessPolicy& policy,
                                 SteadyTime now) noexcept;

    mutable std::mutex mutex_;
    SiteLayout layout_;
    FreshnessPolicy policy_;
    SignalShaping shaping_;
    std::shared_ptr<const Snapshot> snapshot_;
    std::uint64_t revision_ = 0;

    mutable std::mutex listeners_mutex_; ///< held while listeners run
    mutable std::vector<std::pair<std::uint64_t, std::function<void()>>> listeners_;
    mutable std::uint64_t next_listener_ = 1;
};

/// The reading with power, apparent power, current and power factor set to zero; voltage,
/// frequency and the energy counters keep their last values.
Reading ZeroedPowers(const Reading& reading) noexcept;

} // namespace meteremu
