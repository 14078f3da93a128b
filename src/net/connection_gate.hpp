// SPDX-License-Identifier: MIT
// Who gets a connection to the HTTP server and how long it may take to ask, apart from
// libmicrohttpd: new connections are refused from outside the allow list, past the limit per
// client address and past the limit of HTTP connections; and a connection that has not sent a
// whole request within the request timeout (of opening, or of its previous answer) is cut.
// libmicrohttpd's own timeout only measures silence, so a client trickling a byte now and then
// (slowloris) would otherwise hold its connection for ever.
//
// Connections from the host itself (127.0.0.1, ::1, and the server's own address) are exempt
// from all three: nobody on the network can appear as one of them, the watchdog's probe must
// get through while strangers fill the server, and local tools (a benchmark, a reverse proxy)
// are the owner's own.
#pragma once

#include "net/allow_list.hpp"
#include "net/ip_address.hpp"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

namespace meteremu {

struct ConnectionGateLimits {
    std::size_t max_connections = 256; ///< HTTP connections; WebSockets are not counted
    std::size_t max_per_address = 16;  ///< every connection from one address, WebSockets too
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

    /// Whether a connection from `peer` is accepted now.
    bool Admit(const sockaddr* peer) noexcept;

    /// A connection was accepted on socket `fd`; its first request is due. One that takes its
    /// address or the server past a limit (admitted by two threads at once) is shut down at
    /// once. Null when out of memory (the connection is then neither counted nor timed).
    Entry* Opened(const sockaddr* peer, int fd) noexcept;
    /// A whole request arrived: no deadline while it is answered.
    void RequestArrived(Entry* entry) noexcept;
    /// The answer went out: the next request is due within the timeout.
    void AwaitRequest(Entry* entry) noexcept;
    /// The connection became a WebSocket: no longer an HTTP connection, never timed again.
    void Upgraded(Entry* entry) noexcept;
    /// The connection is gone; `entry` is freed. Must come before its socket is closed.
    void Closed(Entry* entry) noexcept;

    struct Counts {
        std::size_t http = 0;
        std::size_t upgraded = 0;
    };
    Counts Count() const;

private:
    using Clock = std::chrono::steady_clock;

    bool IsOwnHost(const IpAddress& address) const noexcept;
    bool OverLimit(const Entry& entry) const noexcept;
    void Run(std::stop_token stop) noexcept;
    std::optional<Clock::time_point> CutExpired(Clock::time_point now) noexcept;

    ConnectionGateLimits limits_;
    const ClientFilter* filter_;
    std::optional<IpAddress> own_address_;

    mutable std::mutex mutex_;
    std::condition_variable_any stopped_; ///< the thread's sleep, which a stop ends
    std::list<Entry> entries_;
    std::unordered_map<IpAddress, std::size_t, IpAddressHash> per_address_;
    Counts counts_;
    std::jthread reaper_;
};

} // namespace meteremu
