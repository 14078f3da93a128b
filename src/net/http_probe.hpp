// SPDX-License-Identifier: MIT
// A request the daemon sends to its own HTTP server, so the watchdog can tell whether the
// libmicrohttpd thread still accepts, dispatches and answers. That thread runs inside the
// library and has no hook to tick a heartbeat from; a reply that came back over a real
// socket is the stronger proof anyway (it also covers a handler stuck on a lock).
// The probe never waits: Send() connects over loopback and writes the request (a full
// listen backlog can hold it for at most kConnectTimeout), and Answered(), called half a
// watchdog interval later, only reads what has already arrived.
#pragma once

#include "net/socket.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace meteremu {

class HttpProbe {
public:
    static constexpr std::chrono::milliseconds kConnectTimeout{200};

    /// `targets`: where the server is reached from this host, tried in order (see
    /// ReachableLocally); `path`: what to request.
    HttpProbe(std::vector<SocketAddress> targets, const std::string& path);

    /// Drops the previous request's connection and sends a new request. False when it could
    /// not be sent (e.g. connection refused); `error` says why.
    bool Send(std::string& error) noexcept;

    /// Whether an HTTP reply (any status) to the last request has arrived. Never blocks.
    bool Answered() noexcept;

private:
    bool SendTo(const SocketAddress& target, std::string& error) noexcept;

    std::vector<SocketAddress> targets_;
    std::string request_;
    UniqueFd connection_;
    std::string reply_;
};

} // namespace meteremu
