// SPDX-License-Identifier: MIT
#include "net/socket.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <system_error>

namespace meteremu {
namespace {

struct Endpoint {
    sockaddr_storage storage{};
    socklen_t length = 0;
    int family = AF_INET6;
};

Endpoint ParseEndpoint(const std::string& address, std::uint16_t port, bool ipv6_any) {
    Endpoint endpoint;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&endpoint.storage);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&endpoint.storage);
    if (address.empty() && ipv6_any) {
        v6->sin6_family = AF_INET6;
        v6->sin6_addr = in6addr_any;
        v6->sin6_port = htons(port);
        endpoint.length = sizeof *v6;
    } else if (address.empty() || inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        if (address.empty()) v4->sin_addr.s_addr = htonl(INADDR_ANY);
        v4->sin_port = htons(port);
        endpoint.length = sizeof *v4;
        endpoint.family = AF_INET;
    } else if (inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        endpoint.length = sizeof *v6;
    } else {
        throw std::system_error(EINVAL, std::generic_category(),
                                "'" + address + "' is not an IPv4 or IPv6 address");
    }
    return endpoint;
}

std::string AddressText(const sockaddr_storage& storage) {
    char text[INET6_ADDRSTRLEN] = "?";
    std::uint16_t port = 0;
    if (storage.ss_family == AF_INET) {
        const auto* v4 = reinterpret_cast<const sockaddr_in*>(&storage);
        inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
        port = ntohs(v4->sin_port);
        return std::string(text) + ":" + std::to_string(port);
    }
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&storage);
    inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
    port = ntohs(v6->sin6_port);
    return "[" + std::string(text) + "]:" + std::to_string(port);
}

[[noreturn]] void ThrowErrno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

UniqueFd TryBind(SocketKind kind, const Endpoint& endpoint, const std::string& label) {
    int type = (kind == SocketKind::Stream ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC;
    UniqueFd fd(::socket(endpoint.family, type, 0));
    if (!fd.Valid()) ThrowErrno("cannot create a socket for " + label);
    int on = 1;
    int off = 0;
    // TCP: rebind at once after a restart. Not UDP, where it would let a second process bind
    // the same port and silently take the battery's polls.
    if (kind == SocketKind::Stream) setsockopt(fd.Get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (endpoint.family == AF_INET6)
        setsockopt(fd.Get(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
    if (kind == SocketKind::Datagram)
        setsockopt(fd.Get(), SOL_SOCKET, SO_BROADCAST, &on, sizeof on);
    if (::bind(fd.Get(), reinterpret_cast<const sockaddr*>(&endpoint.storage), endpoint.length))
        ThrowErrno("cannot bind " + label);
    if (kind == SocketKind::Stream && ::listen(fd.Get(), SOMAXCONN))
        ThrowErrno("cannot listen on " + label);
    return fd;
}

} // namespace

UniqueFd BindSocket(SocketKind kind, const std::string& address, std::uint16_t port) {
    Endpoint endpoint = ParseEndpoint(address, port, true);
    try {
        return TryBind(kind, endpoint, AddressText(endpoint.storage));
    } catch (const std::system_error& error) {
        // A kernel without IPv6: serve IPv4 only.
        if (!address.empty() || error.code().value() != EAFNOSUPPORT) throw;
    }
    Endpoint v4 = ParseEndpoint(address, port, false);
    return TryBind(kind, v4, AddressText(v4.storage));
}

std::uint16_t LocalPort(int fd) {
    sockaddr_storage storage{};
    socklen_t length = sizeof storage;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length)) ThrowErrno("getsockname");
    if (storage.ss_family == AF_INET)
        return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
}

SocketAddress LocalAddress(int fd) {
    SocketAddress address;
    address.length = sizeof address.storage;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&address.storage), &address.length))
        ThrowErrno("getsockname");
    return address;
}

std::vector<SocketAddress> ReachableLocally(const SocketAddress& listening) {
    SocketAddress target = listening;
    if (target.Family() == AF_INET) {
        auto* v4 = reinterpret_cast<sockaddr_in*>(&target.storage);
        if (v4->sin_addr.s_addr == htonl(INADDR_ANY)) v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return {target};
    }
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&target.storage);
    if (target.Family() != AF_INET6 || !IN6_IS_ADDR_UNSPECIFIED(&v6->sin6_addr)) return {target};
    v6->sin6_addr = in6addr_loopback;
    SocketAddress v4_loopback;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&v4_loopback.storage);
    v4->sin_family = AF_INET;
    v4->sin_port = v6->sin6_port;
    v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    v4_loopback.length = sizeof *v4;
    return {target, v4_loopback};
}

std::string LocalAddressText(int fd) {
    sockaddr_storage storage{};
    socklen_t length = sizeof storage;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length)) return "?";
    return AddressText(storage);
}

std::string AddressWithoutPort(std::string_view address_text) {
    std::string_view host = address_text.substr(0, address_text.rfind(':'));
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    return std::string(host);
}

} // namespace meteremu
