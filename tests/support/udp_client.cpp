// SPDX-License-Identifier: MIT
#include "support/udp_client.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>

namespace meteremu::test {

UdpClient::UdpClient(const std::string& address) {
    fd_.Reset(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd_.Valid()) throw std::runtime_error("socket failed");
    int on = 1;
    setsockopt(fd_.Get(), SOL_SOCKET, SO_BROADCAST, &on, sizeof on);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    if (!address.empty() && inet_pton(AF_INET, address.c_str(), &local.sin_addr) != 1)
        throw std::runtime_error("bad address " + address);
    if (bind(fd_.Get(), reinterpret_cast<sockaddr*>(&local), sizeof local))
        throw std::runtime_error("bind failed");
}

bool UdpClient::Send(const std::string& address, std::uint16_t port, const std::string& text) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    if (inet_pton(AF_INET, address.c_str(), &to.sin_addr) != 1) return false;
    return sendto(fd_.Get(), text.data(), text.size(), 0, reinterpret_cast<sockaddr*>(&to),
                  sizeof to) == static_cast<ssize_t>(text.size());
}

std::optional<Datagram> UdpClient::Receive(std::chrono::milliseconds timeout) {
    pollfd ready{fd_.Get(), POLLIN, 0};
    if (poll(&ready, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    std::string buffer(65536, '\0');
    sockaddr_in from{};
    socklen_t length = sizeof from;
    ssize_t size = recvfrom(fd_.Get(), buffer.data(), buffer.size(), 0,
                            reinterpret_cast<sockaddr*>(&from), &length);
    if (size < 0) return std::nullopt;
    buffer.resize(static_cast<size_t>(size));
    char text[INET_ADDRSTRLEN] = "?";
    inet_ntop(AF_INET, &from.sin_addr, text, sizeof text);
    return Datagram{buffer, std::string(text) + ":" + std::to_string(ntohs(from.sin_port))};
}

std::uint16_t UdpClient::Port() const {
    return LocalPort(fd_.Get());
}

} // namespace meteremu::test
