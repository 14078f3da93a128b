// SPDX-License-Identifier: MIT
// Who gets a connection to the HTTP server and how long it may take to ask, apart from
// libmicrohttpd: new connections are refused from outside the allow list and past the limit
// per client (an IPv4 address or an IPv6 /64); and a connection that has not sent a whole
// request within the request timeout (of opening, or of its previous answer) is cut.
// libmicrohttpd's own timeout only measures silence, so a client trickling a byte now and then
// (slowloris) would otherwise hold its connection for ever.
//
// When all HTTP places are taken, a new connection displaces the one that has waited longest
// for a request (since it opened or since its last answer): many addresses trickling requests
// cannot keep a battery out until the timeout, and a client that asks promptly keeps its
// place. Connections being answered and WebSockets are never displaced.
//
// Connections from the host itself (127.0.0.1, ::1, and the server's own address) are exempt
// from all three: nobody on the network can appear as one of them, the watchdog's probe must
// get through while strangers fill the server, and local tools (a benchmark, a reverse proxy)
// are the owner's own.
#pragma once

#include "net/allow_list.hpp"
#include "net/ip_address.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

namespace meteremu {

struct ConnectionGateLimits {
    std::size_t max_connections = 256; ///< HTTP connections; WebSockets are not counted
    std::size_t max_per_address = 16;  ///< every connection from one client, WebSockets too
    std::chrono::milliseconds request_timeout{30000};
};

class ConnectionGate {
public:
    struct Entry;

    /// `filter` (may be null: everyone) must outlive the gate. `own_address`: the address the
    /// server listens on, when it is a specific one. Starts the thread that cuts late requests.
    ConnectionGate(const ConnectionGateLimits& limits, const ClientFilter* filter,
                   std::optional<IpAddress> own_address);
    /// Stops the thread.
    ~ConnectionGate();

    ConnectionGate(const ConnectionGate&) = delete;
    ConnectionGate& operator=(const ConnectionGate&) = delete;

    enum class Admission : std::uint8_t {
        Admitted,
        NotAllowed,  ///< outside the allow list
        AddressFull, ///< its client holds max_per_address connections
        ServerFull,  ///< every place taken, none to displace
    };
    /// Whether a connection from `peer` is accepted now: allowed, its client under its limit,
    /// and a free place or one to displace.
    Admission Admit(const sockaddr* peer) noexcept;

    /// A connection was accepted on socket `fd`; its first request is due. One that takes its
    /// client past its limit (admitted by two threads at once) is shut down at once; one that
    /// takes the server past its limit shuts down the longest waiting connection (itself when
    /// no other waits). Null when out of memory (the connection is then neither counted nor
    /// timed).
    Entry* Opened(const sockaddr* peer, int fd) noexcept;
    /// A whole request arrived: no deadline while it is answered.
    void RequestArrived(Entry* entry) noexcept;
    /// The answer went out: the next request is due within the timeout.
    void AwaitRequest(Entry* entry) noexcept;
    /// The connection became a WebSocket: no longer an HTTP connection, never timed again.
    void Upgraded(Entry* entry) noexcept;
    /// The connection is gone; `entry` is freed. Must come before its socket is closed.
    void Closed(Entry* entry) noexcept;

    /// What the gate counted; read without the gate's lock (for the status page).
    struct Stats {
        std::size_t http = 0;     ///< HTTP connections open now
        std::size_t upgraded = 0; ///< WebSockets open now
        std::uint64_t opened = 0; ///< since the start
        std::uint64_t not_allowed = 0, address_full = 0, server_full = 0; ///< refused, by Admission
        std::uint64_t displaced = 0; ///< shut down for a new connection
        std::uint64_t timed_out = 0; ///< shut down for not sending a whole request in time
    };
    Stats Count() const noexcept;

private:
    using Clock = std::chrono::steady_clock;

    bool IsOwnHost(const IpAddress& address) const noexcept;
    /// HTTP connections held against max_connections: not the host's own, not those already
    /// shut down and about to close.
    std::size_t Limited() const noexcept { return limited_; }
    /// The connection to displace: the longest waiting one not of the host itself, or null.
    Entry* Victim() noexcept;
    void ShutDown(Entry& entry) noexcept;
    Admission Refused(Admission why) noexcept;
    void Wait(Entry& entry, Clock::time_point now) noexcept;
    void StopWaiting(Entry& entry) noexcept;
    void Run(std::stop_token stop) noexcept;
    std::optional<Clock::time_point> CutExpired(Clock::time_point now) noexcept;

    ConnectionGateLimits limits_;
    const ClientFilter* filter_;
    std::optional<IpAddress> own_address_;

    mutable std::mutex mutex_;
    std::condition_variable_any stopped_; ///< the thread's sleep, which a stop ends
    /// Connections awaiting a request, longest waiting (earliest deadline) first.
    std::list<Entry> waiting_;
    /// The others: being answered, upgraded, or shut down and about to close.
    std::list<Entry> busy_;
    std::unordered_map<IpAddress, std::size_t, IpAddressHash> per_client_;
    struct Counter : std::atomic<std::uint64_t> {
        void Add(std::int64_t step) noexcept {
            fetch_add(static_cast<std::uint64_t>(step), std::memory_order_relaxed);
        }
        std::uint64_t Get() const noexcept { return load(std::memory_order_relaxed); }
    };
    Counter http_, upgraded_, opened_, not_allowed_, address_full_, server_full_, displaced_,
        timed_out_;
    std::size_t limited_ = 0; ///< see Limited()
    std::jthread reaper_;
};

} // namespace meteremu
