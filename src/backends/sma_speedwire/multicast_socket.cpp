// SPDX-License-Identifier: MIT
#include "backends/sma_speedwire/multicast_socket.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <system_error>

namespace meteremu::sma {
namespace {

[[noreturn]] void ThrowErrno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

void SetOption(int fd, int level, int name, const void* value, socklen_t size,
               const std::string& what) {
    if (setsockopt(fd, level, name, value, size) != 0) ThrowErrno(what);
}

/// The membership request for `interface`: by address, by name, or the kernel's choice.
ip_mreqn Membership(const std::string& interface) {
    ip_mreqn request{};
    inet_pton(AF_INET, kMulticastGroup, &request.imr_multiaddr);
    if (interface.empty()) return request;
    if (inet_pton(AF_INET, interface.c_str(), &request.imr_address) == 1) return request;
    request.imr_ifindex = static_cast<int>(if_nametoindex(interface.c_str()));
    if (request.imr_ifindex == 0) throw std::runtime_error("no network interface " + interface);
    return request;
}

} // namespace

MulticastSocket::MulticastSocket(const std::string& interface)
    : fd_(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) {
    if (!fd_.Valid()) ThrowErrno("cannot open a UDP socket");
    int on = 1;
    int off = 0;
    SetOption(fd_.Get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on, "SO_REUSEADDR");
    // Only the group this socket joined, on the interface it joined it on (Linux would
    // otherwise deliver every group any socket of the host joined on this port).
    SetOption(fd_.Get(), IPPROTO_IP, IP_MULTICAST_ALL, &off, sizeof off, "IP_MULTICAST_ALL");
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_port = htons(kMulticastPort);
    inet_pton(AF_INET, kMulticastGroup, &local.sin_addr); // no unicast datagrams
    if (bind(fd_.Get(), reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0)
        ThrowErrno(std::string("cannot bind ") + kMulticastGroup + ":" +
                   std::to_string(kMulticastPort));
    ip_mreqn request = Membership(interface);
    SetOption(fd_.Get(), IPPROTO_IP, IP_ADD_MEMBERSHIP, &request, sizeof request,
              std::string("cannot join ") + kMulticastGroup + " on " +
                  (interface.empty() ? "the default interface" : interface));
}

std::optional<Received> MulticastSocket::Receive(std::span<std::uint8_t> buffer,
                                                 std::chrono::milliseconds timeout) {
    pollfd wait{fd_.Get(), POLLIN, 0};
    int ready = poll(&wait, 1, static_cast<int>(timeout.count()));
    if (ready < 0 && errno != EINTR) ThrowErrno("poll on the multicast socket");
    if (ready <= 0) return std::nullopt;
    sockaddr_in sender{};
    socklen_t sender_size = sizeof sender;
    ssize_t size = recvfrom(fd_.Get(), buffer.data(), buffer.size(), MSG_TRUNC,
                            reinterpret_cast<sockaddr*>(&sender), &sender_size);
    if (size < 0) {
        if (errno == EAGAIN || errno == EINTR) return std::nullopt;
        ThrowErrno("receiving from the multicast socket");
    }
    char text[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &sender.sin_addr, text, sizeof text);
    return Received{static_cast<std::size_t>(size), text};
}

} // namespace meteremu::sma
