// SPDX-License-Identifier: MIT
// What the transports allow a client: how many connections, how big a request, how long to
// send it, how many UDP replies, and from which networks. The defaults suit a home network
// (a few batteries and a Home Assistant); every value is a [frontend] key
// (config/transport_limits_config.cpp, meteremu.toml(5)).
#pragma once

#include "net/allow_list.hpp"

#include <chrono>
#include <cstddef>

namespace meteremu {

struct HttpLimits {
    /// HTTP connections open at once; connections upgraded to a WebSocket do not count.
    std::size_t max_connections = 256;
    /// Connections open at once from one client address, upgraded ones included.
    std::size_t max_connections_per_address = 16;
    /// Room for upgraded connections (WebSocket clients) on top of max_connections.
    std::size_t max_upgraded = 32;
    /// A connection must deliver a whole request within this time of opening or of its
    /// previous answer, or it is closed (also while it trickles bytes: slowloris).
    std::chrono::milliseconds idle_timeout{30000};
    /// Request line and headers; a larger request gets 431.
    std::size_t max_header_bytes = 8 * 1024;
    /// A larger request body gets 413.
    std::size_t max_body_bytes = 16 * 1024;
    /// libmicrohttpd threads, not a key: 0 is one per core (HttpThreadsForCores).
    unsigned threads = 0;

    bool operator==(const HttpLimits&) const = default;
};

struct WebSocketLimits {
    /// More clients are told to come back later (close code 1013).
    std::size_t max_clients = 32;
    /// A larger message closes the connection (close code 1009).
    std::size_t max_message_bytes = 16 * 1024;
    /// A client that lets more than this pile up unread is disconnected.
    std::size_t max_unsent_bytes = 1024 * 1024;
    /// How long a closing handshake may take before the connection is dropped.
    std::chrono::milliseconds close_timeout{1000};
    /// A client that sends no frame for this long is closed (1000), so that silent
    /// connections cannot hold every slot; 0: never. Home Assistant pings every 55 s and
    /// polls every 60 s, so the default leaves it five minutes.
    std::chrono::milliseconds idle_timeout{300000};

    bool operator==(const WebSocketLimits&) const = default;
};

struct UdpLimits {
    /// Longer datagrams are dropped unanswered (a Marstek request is about 50 bytes).
    std::size_t max_request_bytes = 4096;
    /// Replies per second to one source address, in a burst of as many; more requests from it
    /// are dropped unanswered. 0: no limit. See net/reply_rate_limiter.hpp.
    double reply_rate = 10;
    /// Reply bytes per second to all senders together, whatever their number; 0: no limit.
    /// A handful of batteries polling a ~500-byte reading each second need a few KiB/s.
    /// See net/reply_byte_budget.hpp.
    std::size_t reply_bytes_per_second = 256 * 1024;

    bool operator==(const UdpLimits&) const = default;
};

struct TransportLimits {
    HttpLimits http;
    WebSocketLimits websocket;
    UdpLimits udp;
    AllowList allow; ///< empty: every client

    bool operator==(const TransportLimits&) const = default;
};

} // namespace meteremu
