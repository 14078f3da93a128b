// SPDX-License-Identifier: MIT
// Listening sockets the daemon binds itself when systemd did not pass any.
#pragma once

#include "util/unique_fd.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <vector>

namespace meteremu {

enum class SocketKind { Stream, Datagram };

/// Binds `address` (an IPv4 or IPv6 literal; empty: every address, IPv6 and IPv4) on `port`
/// (0: an ephemeral port), and listens when kind is Stream. Throws std::system_error with a
/// message naming the address, e.g. "cannot bind [::]:80: Permission denied".
UniqueFd BindSocket(SocketKind kind, const std::string& address, std::uint16_t port);

/// The local port a socket is bound to (the real one after binding port 0). Throws.
std::uint16_t LocalPort(int fd);

/// "127.0.0.1:8080", "[::]:80": the local address of a bound socket, for log lines.
std::string LocalAddressText(int fd);

/// An IPv4 or IPv6 socket address.
struct SocketAddress {
    sockaddr_storage storage{};
    socklen_t length = 0;

    const sockaddr* Get() const noexcept { return reinterpret_cast<const sockaddr*>(&storage); }
    int Family() const noexcept { return storage.ss_family; }
};

/// The local address of a bound socket. Throws std::system_error.
SocketAddress LocalAddress(int fd);

/// Where a process on this host reaches a server listening on `listening`, best first: the
/// same address and port, with a wildcard replaced by loopback. A dual-stack [::] socket also
/// gets 127.0.0.1, for hosts whose loopback has no ::1.
std::vector<SocketAddress> ReachableLocally(const SocketAddress& listening);
/// The address of a LocalAddressText() without the port: "127.0.0.1", "::".
std::string AddressWithoutPort(std::string_view address_text);

} // namespace meteremu
