// SPDX-License-Identifier: MIT
// Counts the distinct client addresses that sent a request recently, for the systemd STATUS
// line ("2 clients"). Batteries poll every 0.4–2 s and Home Assistant every few seconds, so
// "seen within the last minute" counts each of them once, whatever transport it uses and
// however many connections it opens. Every server (HTTP, UDP) reports into the same tracker.
// It also tells when an address polls for the first time and when one that polled regularly
// goes quiet (TakeEvents), the two facts a person needs when a battery does not find the
// meter or stops using it; and what each request asked and got (net/request_label.hpp), by
// address for the status page and counted by transport, method and outcome for /metrics.
//
// The servers' threads never wait here, nor share a cache line: each thread counts a request
// in relaxed atomics of its own shard and notes it into its shard's lock-free ring
// (util/mpsc_ring.hpp); the daemon's thread takes the notes of every shard, in time order,
// into its table when it reads (at least once a second). A flood of more than kRingNotes
// requests on one shard between two reads loses notes (the table's numbers, never the
// counters): NotesLost() says how many.
#pragma once

#include "core/clock.hpp"
#include "net/ip_address.hpp"
#include "net/request_label.hpp"
#include "util/mpsc_ring.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <sys/socket.h>
#include <vector>

namespace meteremu {

enum class ClientTransport : std::uint8_t { Http, WebSocket, Udp };
std::string_view TransportName(ClientTransport transport) noexcept;

/// Where a request came in: the transport and our port.
struct ClientVia {
    ClientTransport transport = ClientTransport::Http;
    std::uint16_t port = 0;
};

struct ClientEvent {
    enum class Kind : std::uint8_t {
        FirstPoll, ///< an address not seen before (or forgotten) sent a request
        WentQuiet, ///< an address that polled regularly has not for a while
        Back,      ///< an address reported quiet polls again
    };
    Kind kind = Kind::FirstPoll;
    IpAddress address;
    ClientVia via;       ///< of its first request (FirstPoll) or its last one
    Seconds interval{0}; ///< its mean time between requests; 0: not known yet
    SteadyTime last_seen{};
    RequestLabel label{}; ///< what its first request (FirstPoll) or its last one asked and got
};

/// One address as the tracker knows it, for the status page.
struct ClientInfo {
    IpAddress address;
    ClientVia via; ///< of its latest request
    std::uint32_t polls = 0;
    Seconds interval{0}; ///< mean time between requests; 0 until the second
    SteadyTime first_seen{};
    SteadyTime last_seen{};
    std::uint64_t methods = 0;                              ///< bit n: it asked MethodName(n)
    std::array<std::uint32_t, kRequestOutcomes> outcomes{}; ///< its requests by outcome
};

/// Requests since the start by transport, method and outcome; only those that happened.
struct RequestCount {
    ClientTransport transport = ClientTransport::Http;
    MethodId method = kOtherMethod;
    RequestOutcome outcome = RequestOutcome::Answered;
    std::uint64_t count = 0;
};

class ClientTracker {
public:
    /// Remembers at most `capacity` addresses; past that the longest-silent one is forgotten,
    /// so the count saturates at `capacity` rather than growing with a scan of the network.
    explicit ClientTracker(std::chrono::seconds window = std::chrono::seconds(60),
                           std::size_t capacity = 64);

    /// Notes a request from `address` (IPv4 or IPv6; the port is ignored) that came in `via`
    /// and what came of it. Any thread; lock-free and allocation-free.
    void Seen(const sockaddr* address, SteadyTime now, ClientVia via = {},
              RequestLabel label = {}) noexcept;

    /// The calls below read the table: one thread at a time (the daemon's), never a server's.

    /// Distinct addresses seen within the window before `now`, but those `allow` refused every
    /// time: the clients that use the meter.
    std::size_t Count(SteadyTime now) const;

    /// What happened since the last call: the first request of each new address, and each
    /// address that polled at least kRegularPolls times and then not for kQuietAfter times
    /// its mean interval (at least kQuietFloor), and polls again. Each is told once.
    std::vector<ClientEvent> TakeEvents(SteadyTime now);

    /// The addresses seen within `within` before `now`, the most recent first.
    std::vector<ClientInfo> Recent(SteadyTime now, Seconds within) const;

    /// Every request counted since the start (any thread).
    std::vector<RequestCount> RequestCounts() const;
    /// Notes a flood did not leave room for since the start (any thread).
    std::uint64_t NotesLost() const noexcept;

    /// Notes each shard keeps between two reads.
    static constexpr std::size_t kRingNotes = 512;
    /// Shards: the HTTP server's threads (at most 4) each have one when alone.
    static constexpr std::size_t kShards = 4;

    static constexpr std::uint32_t kRegularPolls = 5;
    static constexpr double kQuietAfter = 5;
    static constexpr Seconds kQuietFloor{30};

private:
    struct Note {
        IpAddress address;
        SteadyTime at;
        ClientVia via;
        RequestLabel label{};
    };
    struct Entry {
        IpAddress address;
        SteadyTime last_seen;
        ClientVia via; ///< of the last request
        SteadyTime first_seen = last_seen;
        std::uint32_t polls = 0;
        Seconds interval{0}; ///< exponential mean; 0 until the second request
        std::uint64_t methods = 0;
        std::array<std::uint32_t, kRequestOutcomes> outcomes{};
        RequestLabel first{}, last{}; ///< of its first and its latest request
        bool announced = false;
        bool quiet = false; ///< reported quiet; its next request is told as Back
        bool back = false;
    };

    static bool IsQuiet(const Entry& entry, SteadyTime now) noexcept;
    /// Takes the notes waiting in the ring into the table: a reader's view of the table
    /// includes every request noted before it looked, hence const.
    void Drain() const noexcept;
    void Take(const Note& note) const noexcept;
    Entry& EntryFor(const Note& note) const noexcept;

    SteadyTime::duration window_;
    std::size_t capacity_;
    static constexpr std::size_t kTransports = 3;
    static constexpr std::size_t kCounts = kTransports * kMethodCapacity * kRequestOutcomes;

    /// What the threads that share it note; each thread takes one shard for its life.
    struct alignas(64) Shard {
        MpscRing<Note, kRingNotes> notes;
        std::atomic<std::uint64_t> lost{0};
        std::array<std::atomic<std::uint64_t>, kCounts> counts{};
    };
    static std::size_t ThisThreadsShard() noexcept;

    mutable std::vector<Entry> entries_; ///< the reading thread's
    mutable std::vector<Note> taken_;    ///< the reading thread's, to sort the shards' notes
    mutable std::array<Shard, kShards> shards_;
};

} // namespace meteremu
