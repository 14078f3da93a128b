// SPDX-License-Identifier: MIT
// The sd-daemon protocol: sockets passed in by socket activation (LISTEN_FDS), messages to
// the service manager (NOTIFY_SOCKET) and the watchdog timeout (WATCHDOG_USEC). Outside
// systemd no socket is passed, no message is sent and the watchdog is off.
#pragma once

#include "util/unique_fd.hpp"

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace meteremu::systemd {

/// One socket systemd passed.
struct PassedSocket {
    /// FileDescriptorName= of its socket unit; systemd's default is the unit's own name
    /// ("meteremu.socket"), and "" when systemd passed no names at all.
    std::string name;
    bool stream = false; ///< a listening TCP socket; otherwise a UDP socket
    UniqueFd fd;
};

/// The sockets systemd passed, in the order passed. Who serves which is the daemon's to say
/// (daemon/passed_sockets.hpp).
struct PassedSockets {
    std::vector<PassedSocket> sockets;

    bool Empty() const noexcept { return sockets.empty(); }
};

/// The passed sockets cannot be served as they are: the socket unit is wrong.
class PassedSocketsInvalid : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Takes the sockets systemd passed (sd_listen_fds) and unsets LISTEN_FDS, LISTEN_PID and
/// LISTEN_FDNAMES. Changes the environment, so call it before any thread starts.
/// Throws PassedSocketsInvalid (see ClassifySockets).
PassedSockets TakePassedSockets();

/// Takes the `count` descriptors from `first` on, with their names from `names`, and owns
/// them (also when it throws). Each must be a listening TCP socket or a UDP socket on IP;
/// throws PassedSocketsInvalid naming the descriptor (and its name) that is neither.
PassedSockets ClassifySockets(int first, int count, const std::vector<std::string>& names);

/// Messages to the service manager, each one datagram to $NOTIFY_SOCKET. Any thread may
/// send: sd_notify opens a socket per call. Without NOTIFY_SOCKET nothing is sent.
class Notifier {
public:
    Notifier() noexcept;

    /// Whether a service manager listens (NOTIFY_SOCKET is set).
    bool Connected() const noexcept { return connected_; }

    /// READY=1 with the first status line: the servers answer.
    void Ready(std::string_view status) noexcept;
    /// STATUS=: the one-line summary `systemctl status` shows.
    void Status(std::string_view status) noexcept;
    /// RELOADING=1 with MONOTONIC_USEC= (CLOCK_MONOTONIC now), as Type=notify-reload wants.
    void Reloading() noexcept;
    /// STOPPING=1: shutdown has begun.
    void Stopping() noexcept;
    /// WATCHDOG=1: the daemon is alive.
    void WatchdogPing() noexcept;

private:
    void Send(const std::string& message) noexcept;

    bool connected_ = false;
};

/// How long the service manager waits for a WATCHDOG=1 before it kills the daemon
/// (WatchdogSec=), or nullopt when the watchdog is off for this process.
std::optional<std::chrono::microseconds> WatchdogTimeout() noexcept;

/// "STATUS=" text on one line: line breaks become spaces.
std::string OneLine(std::string_view text);

} // namespace meteremu::systemd
