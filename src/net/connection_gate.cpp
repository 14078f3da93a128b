// SPDX-License-Identifier: MIT
#include "net/connection_gate.hpp"

#include <pthread.h>
#include <sys/socket.h>
#include <utility>

namespace meteremu {

struct ConnectionGate::Entry {
    std::list<Entry>::iterator self; ///< in waiting_ or busy_
    std::optional<IpAddress> client; ///< IpAddress::Client(); nullopt for a non-IP peer
    int fd = -1;
    bool own_host = false;
    bool waiting = false; ///< in waiting_
    bool limited = false; ///< counted in Limited()
    bool upgraded = false;
    bool shut = false;
    Clock::time_point deadline; ///< while waiting
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

ConnectionGate::Admission ConnectionGate::Admit(const sockaddr* peer) noexcept {
    auto address = IpAddress::Of(peer);
    if (address && IsOwnHost(*address)) return Admission::Admitted;
    if (filter_ && !filter_->Allows(peer)) return Refused(Admission::NotAllowed);
    std::lock_guard lock(mutex_);
    if (address) {
        auto found = per_client_.find(address->Client());
        if (found != per_client_.end() && found->second >= limits_.max_per_address)
            return Refused(Admission::AddressFull);
    }
    if (Limited() < limits_.max_connections || Victim() != nullptr) return Admission::Admitted;
    return Refused(Admission::ServerFull);
}

ConnectionGate::Admission ConnectionGate::Refused(Admission why) noexcept {
    (why == Admission::NotAllowed    ? not_allowed_
     : why == Admission::AddressFull ? address_full_
                                     : server_full_)
        .Add(1);
    return why;
}

/// Admit() checks without counting, and each server thread accepts on its own: two threads
/// may both admit the last free place of a client. The count taken here decides.
ConnectionGate::Entry* ConnectionGate::Opened(const sockaddr* peer, int fd) noexcept try {
    std::lock_guard lock(mutex_);
    auto address = IpAddress::Of(peer);
    Entry& entry = waiting_.emplace_back();
    entry.self = std::prev(waiting_.end());
    entry.waiting = true;
    entry.fd = fd;
    entry.own_host = address && IsOwnHost(*address);
    entry.deadline = Clock::now() + limits_.request_timeout;
    std::size_t of_client = 0;
    if (address) {
        entry.client = address->Client();
        try {
            of_client = ++per_client_[*entry.client];
        } catch (...) {
            waiting_.pop_back();
            return nullptr;
        }
    }
    http_.Add(1);
    opened_.Add(1);
    if (entry.own_host) return &entry;
    entry.limited = true;
    ++limited_;
    if (of_client > limits_.max_per_address) {
        ShutDown(entry);
        address_full_.Add(1);
    } else if (Limited() > limits_.max_connections) {
        if (Entry* victim = Victim()) {
            ShutDown(*victim);
            displaced_.Add(1);
        }
    }
    return &entry;
} catch (...) {
    return nullptr;
}

void ConnectionGate::RequestArrived(Entry* entry) noexcept {
    if (!entry) return;
    std::lock_guard lock(mutex_);
    StopWaiting(*entry);
}

void ConnectionGate::AwaitRequest(Entry* entry) noexcept {
    if (!entry) return;
    std::lock_guard lock(mutex_);
    if (entry->upgraded || entry->shut) return;
    Wait(*entry, Clock::now());
}

void ConnectionGate::Upgraded(Entry* entry) noexcept {
    if (!entry) return;
    std::lock_guard lock(mutex_);
    if (entry->upgraded) return;
    StopWaiting(*entry);
    entry->upgraded = true;
    if (std::exchange(entry->limited, false)) --limited_;
    http_.Add(-1);
    upgraded_.Add(1);
}

void ConnectionGate::Closed(Entry* entry) noexcept {
    if (!entry) return;
    std::lock_guard lock(mutex_);
    (entry->upgraded ? upgraded_ : http_).Add(-1);
    if (entry->limited) --limited_;
    if (entry->client) {
        auto found = per_client_.find(*entry->client);
        if (found != per_client_.end() && --found->second == 0) per_client_.erase(found);
    }
    (entry->waiting ? waiting_ : busy_).erase(entry->self);
}

ConnectionGate::Stats ConnectionGate::Count() const noexcept {
    // Open connections fit a size_t on every target; the counters stay 64-bit on 32-bit ones.
    return {static_cast<std::size_t>(http_.Get()),
            static_cast<std::size_t>(upgraded_.Get()),
            opened_.Get(),
            not_allowed_.Get(),
            address_full_.Get(),
            server_full_.Get(),
            displaced_.Get(),
            timed_out_.Get()};
}

ConnectionGate::Entry* ConnectionGate::Victim() noexcept {
    for (Entry& entry : waiting_)
        if (!entry.own_host) return &entry;
    return nullptr;
}

/// The socket is only shut down, never closed: libmicrohttpd sees the end, closes it and
/// reports Closed(). Called with the mutex held, so the descriptor cannot be closed (and
/// reused) meanwhile. The connection no longer holds a place.
void ConnectionGate::ShutDown(Entry& entry) noexcept {
    shutdown(entry.fd, SHUT_RDWR);
    StopWaiting(entry);
    entry.shut = true;
    if (std::exchange(entry.limited, false)) --limited_;
}

/// To the end of the waiting list: every deadline is `request_timeout` after the moment it
/// is set, so the list stays in the order of the deadlines.
void ConnectionGate::Wait(Entry& entry, Clock::time_point now) noexcept {
    entry.deadline = now + limits_.request_timeout;
    waiting_.splice(waiting_.end(), entry.waiting ? waiting_ : busy_, entry.self);
    entry.waiting = true;
}

void ConnectionGate::StopWaiting(Entry& entry) noexcept {
    if (!entry.waiting) return;
    busy_.splice(busy_.end(), waiting_, entry.self);
    entry.waiting = false;
}

/// Cuts every connection past its deadline and returns the next deadline.
std::optional<ConnectionGate::Clock::time_point>
ConnectionGate::CutExpired(Clock::time_point now) noexcept {
    while (!waiting_.empty() && waiting_.front().deadline <= now) {
        ShutDown(waiting_.front());
        timed_out_.Add(1);
    }
    if (waiting_.empty()) return std::nullopt;
    return waiting_.front().deadline;
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
