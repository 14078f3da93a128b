// SPDX-License-Identifier: MIT
// The IPv4/IPv6 sockets a process holds, read from /proc/PID/fd and /proc/net/{tcp,udp}{,6}:
// lets a test see which sockets the daemon has, and that it bound none of its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace meteremu::test {

struct InetSocket {
    int fd = -1; ///< descriptor number in the process
    unsigned long inode = 0;
    std::string protocol;     ///< "tcp", "tcp6", "udp" or "udp6"
    std::uint16_t port = 0;   ///< local port
    bool listening = false;   ///< a TCP socket in LISTEN state
    std::size_t rx_queue = 0; ///< bytes waiting to be read
};

/// Every TCP and UDP socket `pid` has open (in the test's network namespace).
std::vector<InetSocket> InetSockets(pid_t pid);

} // namespace meteremu::test
