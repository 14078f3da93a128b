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
}

void ClientTracker::Seen(const sockaddr* address, SteadyTime now, ClientVia via) noexcept {
    auto ip = IpAddress::Of(address);
    if (!ip) return;
    std::lock_guard lock(mutex_);
    auto known = std::find_if(entries_.begin(), entries_.end(),
                              [&](const Entry& entry) { return entry.address == *ip; });
    if (known != entries_.end()) {
        Seconds interval = now - known->last_seen;
        known->interval = known->polls == 1
                              ? interval
                              : known->interval + kIntervalWeight * (interval - known->interval);
        ++known->polls;
        known->last_seen = now;
        known->via = via;
        if (known->quiet) known->back = true;
        known->quiet = false;
    } else if (entries_.size() < capacity_) {
        entries_.push_back({*ip, now, via}); // within the reserved capacity: no allocation
    } else {
        auto oldest =
            std::min_element(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
                return a.last_seen < b.last_seen;
            });
        *oldest = {*ip, now, via};
    }
}

std::size_t ClientTracker::Count(SteadyTime now) const noexcept {
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(
        std::count_if(entries_.begin(), entries_.end(),
                      [&](const Entry& entry) { return now - entry.last_seen <= window_; }));
}

bool ClientTracker::IsQuiet(const Entry& entry, SteadyTime now) noexcept {
    if (entry.polls < kRegularPolls) return false;
    return now - entry.last_seen > std::max(kQuietFloor, kQuietAfter * entry.interval);
}

std::vector<ClientEvent> ClientTracker::TakeEvents(SteadyTime now) {
    std::vector<ClientEvent> events;
    std::lock_guard lock(mutex_);
    for (Entry& entry : entries_) {
        ClientEvent event{ClientEvent::Kind::FirstPoll, entry.address, entry.via, entry.interval,
                          entry.last_seen};
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
    std::vector<ClientInfo> recent;
    {
        std::lock_guard lock(mutex_);
        for (const Entry& entry : entries_)
            if (now - entry.last_seen <= within)
                recent.push_back({entry.address, entry.via, entry.polls, entry.interval,
                                  entry.first_seen, entry.last_seen});
    }
    std::ranges::sort(recent, std::greater<>(), &ClientInfo::last_seen);
    return recent;
}

} // namespace meteremu
