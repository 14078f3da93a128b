// SPDX-License-Identifier: MIT
// Which sample each client was last served, and what to do with a poll that has no new one.
// Every battery controller meteremu serves is integral-like: it adds the reading to its own
// output. A battery that polls faster than the source refreshes integrates the same sample
// two or three times and swings (docs/architecture.md#sample-gating). The gate remembers, per
// client, the last sample it was served and decides for each poll: a new sample is served at
// once; a poll without one is answered with the newest again (`repeat`, as 0.1.0), held until
// the next sample arrives or `max_hold` passes (`hold`), or not answered (`drop`: batteries
// ask again).
//
// Pure: no I/O, no clock of its own (every call takes `now`, so a simulation drives it on a
// simulated clock). A sample is a number that moves only with a new reading
// (MeterStamp::sample), never with a reload or with the reading turning stale. A client is an
// opaque key the transport derives from the peer's address and the transport's kind
// (ClientKeyOf). Thread-safe: the transports' threads call it at once.
#pragma once

#include "core/clock.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>

namespace meteremu {

/// What a poll that has no new sample for its client gets.
enum class RepeatPolicy {
    Repeat, ///< the newest sample again, at once (0.1.0)
    Hold,   ///< nothing until the next sample arrives, or the newest again after max_hold
    Drop,   ///< nothing: the poll goes unanswered, the client asks again
};

std::optional<RepeatPolicy> ParseRepeatPolicy(std::string_view name) noexcept;
std::string_view RepeatPolicyName(RepeatPolicy policy) noexcept;

struct GatePolicy {
    RepeatPolicy repeat = RepeatPolicy::Repeat;
    /// With Hold: the longest a poll waits for a new sample before the newest is served.
    Seconds max_hold{2.0};

    friend bool operator==(const GatePolicy&, const GatePolicy&) = default;
};

/// A client as the transports tell them apart: their peer's address and their kind.
using ClientKey = std::uint64_t;

/// The transports, each a namespace of client keys: a battery polling over UDP and over HTTP
/// from one address is two clients.
enum class GateTransport : std::uint8_t { Udp = 1, Http = 2, WebSocket = 3 };

/// The key of the client at `address` (its bytes: 4 for IPv4, 16 for IPv6; the port is not
/// part of it, since batteries may poll from a new port each time) over `transport`.
ClientKey ClientKeyOf(GateTransport transport, const unsigned char* address,
                      std::size_t length) noexcept;

enum class GateVerdict {
    Serve,  ///< a sample this client has not had: answer now (it is noted as served)
    Repeat, ///< no new sample: answer with the newest again (repeat, or a hold ran out)
    Hold,   ///< no new sample: keep the poll, ask again (Recheck) on a new sample or at deadline
    Drop,   ///< no new sample: no answer
};

struct GateDecision {
    GateVerdict verdict = GateVerdict::Serve;
    /// With Hold: when the poll is answered with the newest sample anyway.
    SteadyTime deadline{};

    /// Whether the poll is answered now.
    bool Answered() const noexcept {
        return verdict == GateVerdict::Serve || verdict == GateVerdict::Repeat;
    }
};

/// Outcomes since the gate was made; every poll counts once in exactly one of them, but a
/// held poll, which counts in `held` and later in the outcome of its Recheck.
struct GateCounters {
    std::uint64_t served_new = 0;   ///< answered with a sample new to the client
    std::uint64_t repeated = 0;     ///< answered with a sample the client had (policy repeat)
    std::uint64_t held = 0;         ///< put on hold (Admit)
    std::uint64_t hold_expired = 0; ///< held until max_hold, then answered with the newest
    std::uint64_t dropped = 0;      ///< not answered (policy drop)
    std::uint64_t evicted = 0;      ///< clients forgotten to make room for a new one
};

class SampleGate {
public:
    /// Clients remembered at once; a site has a few batteries and a Home Assistant.
    static constexpr std::size_t kDefaultCapacity = 256;

    /// Remembers at most `capacity` clients (at least 1). When a new client arrives and the
    /// gate is full, the client polled longest ago is forgotten: its next poll counts as a new
    /// client's and is served the newest sample at once (at most one repeat per eviction).
    explicit SampleGate(GatePolicy policy = {}, std::size_t capacity = kDefaultCapacity);

    SampleGate(const SampleGate&) = delete;
    SampleGate& operator=(const SampleGate&) = delete;

    /// A reload may change the policy; what each client was served stays.
    void SetPolicy(GatePolicy policy) noexcept;
    GatePolicy Policy() const noexcept;

    /// A poll from `client` whose answer would carry `sample` (a number that grows with each
    /// new reading), at `now`. A client's first poll, and any poll with a sample greater than
    /// the last one it was served, is Serve; otherwise the policy decides. Under Hold the
    /// deadline counts from the client's first unanswered poll, so a client that polls again
    /// while held (its transport keeps only the newest poll) waits no longer than max_hold.
    /// Out of memory: Serve, as 0.1.0 did.
    GateDecision Admit(ClientKey client, std::uint64_t sample, SteadyTime now) noexcept;

    /// A poll Admit held, asked again: on a new sample, or once its deadline passed. Decides
    /// as Admit but does not count the poll as held again.
    GateDecision Recheck(ClientKey client, std::uint64_t sample, SteadyTime now) noexcept;

    /// Relaxed reads; for the status page and tests.
    GateCounters Counters() const noexcept;
    std::size_t Clients() const noexcept;

private:
    struct Client {
        std::uint64_t served = 0; ///< the last sample this client was served
        bool served_any = false;
        std::optional<SteadyTime> held_since; ///< the first unanswered poll of a hold
        SteadyTime last_poll{};
    };

    GateDecision Decide(ClientKey key, std::uint64_t sample, SteadyTime now, bool recheck);
    Client& Find(ClientKey key);
    GateDecision NoNewSample(Client& client, SteadyTime now, bool recheck) noexcept;

    mutable std::mutex mutex_;
    GatePolicy policy_;
    std::size_t capacity_;
    std::unordered_map<ClientKey, Client> clients_;
    std::atomic<std::uint64_t> served_new_{0}, repeated_{0}, held_{0}, hold_expired_{0},
        dropped_{0}, evicted_{0};
};

} // namespace meteremu
