// SPDX-License-Identifier: MIT
#include "net/connection_gate.hpp"

#include <pthread.h>
#include <sys/socket.h>

namespace meteremu {

struct ConnectionGate::Entry {
    std::list<Entry>::iterator self;
    std::optional<IpAddress> address; ///< nullopt for a non-IP peer
    int fd = -1;
    bool upgraded = false;
    std::optional<Clock::time_point> deadline;
};

ConnectionGate::ConnectionGate(const ConnectionGateLimits& limits, const ClientFilter* filter,
                               std::optional<IpAddress> own_address)
    : limits_(limits), filter_(filter), own_address_(own_address),
      reaper_([this](std::stop_token stop) { Run(stop); }) {}

ConnectionGate::~ConnectionGate() {
    reaper_.request_stop();
    if (reaper_.joinable()) reaper_.join();
}

bool ConnectionGate::IsOwnHost(const IpAddress& address) const noexcept {
    return address.IsHostLoopback() || address == own_address_;
}

bool ConnectionGate::Admit(const sockaddr* peer) noexcept {
    auto address = IpAddress::Of(peer);
    if (address && IsOwnHost(*address)) return true;
    if (filter_ && !filter_->Allows(peer)) return false;
    std::lock_guard lock(mutex_);
    if (address) {
        auto found = per_address_.find(*address);
        if (found != per_address_.end() && found->second >= limits_.max_per_address) return false;
    }
    return counts_.http < limits_.max_connections;
}

/// Admit() checks without counting, and each server thread accepts on its own: two threads
/// may both admit the last free place of an address. The count taken here decides; the
/// connection that went past a limit is cut at once.
bool ConnectionGate::OverLimit(const Entry& entry) const noexcept {
    if (!entry.address || IsOwnHost(*entry.address)) return false;
    auto found = per_address_.find(*entry.address);
    return found->second > limits_.max_per_address || counts_.http > limits_.max_connections;
}

ConnectionGate::Entry* ConnectionGate::Opened(const sockaddr* peer, int fd) noexcept try {
    std::lock_guard lock(mutex_);
    Entry& entry = entries_.emplace_back();
    entry.self = std::prev(entries_.end());
    entry.address = IpAddress::Of(peer);
    entry.fd = fd;
    if (entry.address) {
        try {
            ++per_address_[*entry.address];
        } catch (...) {
            entries_.pop_back();
            return nullptr;
        }
    }
    ++counts_.http;
    entry.deadline = Clock::now() + limits_.request_timeout;
    if (OverLimit(entry)) shutdown(fd, SHUT_RDWR); // libmicrohttpd closes it, then Closed()
    return &entry;
} catch (...) {
    return nullptr;
}

void ConnectionGate::RequestArrived(Entry* entry) noexcept {
    if (!entry) return;
    std::lock_guard lock(mutex_);
    entry->deadline.reset();
}

void ConnectionGate::AwaitRequest(Entry* entry) noexcept {
    if (!entry) return;
    std::lock_guard lock(mutex_);
    if (entry->upgraded) return;
    entry->deadline = Clock::now() + limits_.request_timeout;
}

void ConnectionGate::Upgraded(Entry* entry) noexcept {
    if (!entry) return;
    std::lock_guard lock(mutex_);
    if (entry->upgraded) return;
    entry->deadline.reset();
    entry->upgraded = true;
    --counts_.http;
    ++counts_.upgraded;
}

void ConnectionGate::Closed(Entry* entry) noexcept {
    if (!entry) return;
    std::lock_guard lock(mutex_);
    --(entry->upgraded ? counts_.upgraded : counts_.http);
    if (entry->address) {
        auto found = per_address_.find(*entry->address);
        if (found != per_address_.end() && --found->second == 0) per_address_.erase(found);
    }
    entries_.erase(entry->self);
}

ConnectionGate::Counts ConnectionGate::Count() const {
    std::lock_guard lock(mutex_);
    return counts_;
}

/// Cuts every connection past its deadline and returns the next deadline. The socket is only
/// shut down, never closed: libmicrohttpd sees the end, closes it and reports Closed(). Called
/// with the mutex held, so the descriptor cannot be closed (and reused) meanwhile.
std::optional<ConnectionGate::Clock::time_point>
ConnectionGate::CutExpired(Clock::time_point now) noexcept {
    std::optional<Clock::time_point> next;
    for (Entry& entry : entries_) {
        if (!entry.deadline) continue;
        if (*entry.deadline <= now) {
            shutdown(entry.fd, SHUT_RDWR);
            entry.deadline.reset();
        } else if (!next || *entry.deadline < *next) {
            next = entry.deadline;
        }
    }
    return next;
}

/// Every deadline is set request_timeout ahead of its moment, so one set while the thread
/// sleeps is never earlier than the scan it sleeps toward (at the latest request_timeout
/// after the previous one): nobody needs to wake it. A request costs no wake-up of this
/// thread, and an idle server one scan per request_timeout.
void ConnectionGate::Run(std::stop_token stop) noexcept {
    pthread_setname_np(pthread_self(), "http-deadlines");
    std::unique_lock lock(mutex_);
    while (!stop.stop_requested()) {
        auto now = Clock::now();
        auto next = CutExpired(now).value_or(now + limits_.request_timeout);
        stopped_.wait_until(lock, stop, next, [] { return false; });
    }
}

} // namespace meteremu
