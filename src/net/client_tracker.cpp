// SPDX-License-Identifier: MIT
#include "net/client_tracker.hpp"

#include <algorithm>

namespace meteremu {
namespace {

/// Weight of the newest interval in the mean.
constexpr double kIntervalWeight = 0.2;

} // namespace

std::string_view TransportName(ClientTransport transport) noexcept {
    switch (transport) {
    case ClientTransport::Http:
        return "HTTP";
    case ClientTransport::WebSocket:
        return "WebSocket";
    case ClientTransport::Udp:
        return "UDP";
    }
    return "?";
}

ClientTracker::ClientTracker(std::chrono::seconds window, std::size_t capacity)
    : window_(window), capacity_(std::max<std::size_t>(capacity, 1)) {
    entries_.reserve(capacity_);
    taken_.reserve(kShards * kRingNotes);
}

std::size_t ClientTracker::ThisThreadsShard() noexcept {
    static std::atomic<std::size_t> next{0};
    thread_local std::size_t shard = next.fetch_add(1, std::memory_order_relaxed) % kShards;
    return shard;
}

void ClientTracker::Seen(const sockaddr* address, SteadyTime now, ClientVia via,
                         RequestLabel label) noexcept {
    auto ip = IpAddress::Of(address);
    if (!ip) return;
    auto transport = static_cast<std::size_t>(via.transport);
    auto outcome = static_cast<std::size_t>(label.outcome);
    Shard& shard = shards_[ThisThreadsShard()];
    if (transport < kTransports && label.method < kMethodCapacity && outcome < kRequestOutcomes)
        shard.counts[(transport * kMethodCapacity + label.method) * kRequestOutcomes + outcome]
            .fetch_add(1, std::memory_order_relaxed);
    if (!shard.notes.Push({*ip, now, via, label}))
        shard.lost.fetch_add(1, std::memory_order_relaxed);
}

/// The shards' notes in the order they were made: a client whose requests two threads
/// answered (a new connection per poll) gets its intervals right.
void ClientTracker::Drain() const noexcept {
    taken_.clear(); // within the reserved capacity: no allocation
    for (Shard& shard : shards_)
        while (auto note = shard.notes.Take())
            taken_.push_back(*note);
    std::ranges::stable_sort(taken_, {}, &Note::at);
    for (const Note& note : taken_)
        Take(note);
}

std::uint64_t ClientTracker::NotesLost() const noexcept {
    std::uint64_t lost = 0;
    for (const Shard& shard : shards_)
        lost += shard.lost.load(std::memory_order_relaxed);
    return lost;
}

void ClientTracker::Take(const Note& note) const noexcept {
    Entry& entry = EntryFor(note);
    if (entry.polls > 0) {
        // Notes of two threads may come a little out of order.
        Seconds interval = std::max(Seconds{0}, Seconds{note.at - entry.last_seen});
        entry.interval = entry.polls == 1
                             ? interval
                             : entry.interval + kIntervalWeight * (interval - entry.interval);
        if (entry.quiet) entry.back = true;
        entry.quiet = false;
    } else {
        entry.first = note.label;
    }
    entry.last = note.label;
    ++entry.polls;
    entry.last_seen = std::max(entry.last_seen, note.at);
    entry.via = note.via;
    if (note.label.method < kMethodCapacity) entry.methods |= std::uint64_t{1} << note.label.method;
    auto outcome = static_cast<std::size_t>(note.label.outcome);
    if (outcome < kRequestOutcomes) ++entry.outcomes[outcome];
}

/// The entry of the note's address: the known one, a new one, or the longest-silent one
/// taken over.
ClientTracker::Entry& ClientTracker::EntryFor(const Note& note) const noexcept {
    auto known = std::find_if(entries_.begin(), entries_.end(),
                              [&](const Entry& entry) { return entry.address == note.address; });
    if (known != entries_.end()) return *known;
    if (entries_.size() < capacity_) // within the reserved capacity: no allocation
        return entries_.emplace_back(Entry{note.address, note.at, note.via});
    auto oldest =
        std::min_element(entries_.begin(), entries_.end(),
                         [](const Entry& a, const Entry& b) { return a.last_seen < b.last_seen; });
    *oldest = {note.address, note.at, note.via};
    return *oldest;
}

std::size_t ClientTracker::Count(SteadyTime now) const {
    Drain();
    auto refused = static_cast<std::size_t>(RequestOutcome::Refused);
    return static_cast<std::size_t>(
        std::count_if(entries_.begin(), entries_.end(), [&](const Entry& entry) {
            return now - entry.last_seen <= window_ && entry.outcomes[refused] < entry.polls;
        }));
}

bool ClientTracker::IsQuiet(const Entry& entry, SteadyTime now) noexcept {
    if (entry.polls < kRegularPolls) return false;
    return now - entry.last_seen > std::max(kQuietFloor, kQuietAfter * entry.interval);
}

std::vector<ClientEvent> ClientTracker::TakeEvents(SteadyTime now) {
    std::vector<ClientEvent> events;
    Drain();
    for (Entry& entry : entries_) {
        ClientEvent event{ClientEvent::Kind::FirstPoll,
                          entry.address,
                          entry.via,
                          entry.interval,
                          entry.last_seen,
                          entry.announced ? entry.last : entry.first};
        if (!entry.announced) {
            entry.announced = true;
            entry.back = false;
        } else if (entry.back) {
            entry.back = false;
            event.kind = ClientEvent::Kind::Back;
        } else if (!entry.quiet && IsQuiet(entry, now)) {
            entry.quiet = true;
            event.kind = ClientEvent::Kind::WentQuiet;
        } else {
            continue;
        }
        events.push_back(event);
    }
    return events;
}

std::vector<ClientInfo> ClientTracker::Recent(SteadyTime now, Seconds within) const {
    Drain();
    std::vector<ClientInfo> recent;
    for (const Entry& entry : entries_)
        if (now - entry.last_seen <= within)
            recent.push_back({entry.address, entry.via, entry.polls, entry.interval,
                              entry.first_seen, entry.last_seen, entry.methods, entry.outcomes});
    std::ranges::sort(recent, std::greater<>(), &ClientInfo::last_seen);
    return recent;
}

std::vector<RequestCount> ClientTracker::RequestCounts() const {
    std::vector<RequestCount> counts;
    for (std::size_t i = 0; i < kCounts; ++i) {
        std::uint64_t count = 0;
        for (const Shard& shard : shards_)
            count += shard.counts[i].load(std::memory_order_relaxed);
        if (count == 0) continue;
        std::size_t outcome = i % kRequestOutcomes;
        std::size_t method = i / kRequestOutcomes % kMethodCapacity;
        std::size_t transport = i / kRequestOutcomes / kMethodCapacity;
        counts.push_back({static_cast<ClientTransport>(transport), static_cast<MethodId>(method),
                          static_cast<RequestOutcome>(outcome), count});
    }
    return counts;
}

} // namespace meteremu
