// SPDX-License-Identifier: MIT
#include "net/http_probe.hpp"

#include "net/http_server.hpp"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <sys/time.h>

namespace meteremu {
namespace {

constexpr std::size_t kStatusLineBytes = 12; // "HTTP/1.1 200"

} // namespace

HttpProbe::HttpProbe(std::vector<SocketAddress> targets, const std::string& path)
    : targets_(std::move(targets)),
      request_("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nUser-Agent: " +
               std::string(kLivenessProbeAgent) + "\r\nConnection: close\r\n\r\n") {
    reply_.reserve(2 * kStatusLineBytes + 64); // Answered() appends without allocating
}

bool HttpProbe::SendTo(const SocketAddress& target, std::string& error) noexcept {
    UniqueFd fd(::socket(target.Family(), SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd.Valid()) {
        error = std::string("socket: ") + std::strerror(errno);
        return false;
    }
    timeval timeout{0, static_cast<suseconds_t>(kConnectTimeout.count() * 1000)};
    setsockopt(fd.Get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    if (::connect(fd.Get(), target.Get(), target.length)) {
        error = std::string("connect: ") + std::strerror(errno);
        return false;
    }
    // The request is far smaller than a fresh socket's send buffer: one send writes it all.
    ssize_t sent = ::send(fd.Get(), request_.data(), request_.size(), MSG_NOSIGNAL);
    if (sent != static_cast<ssize_t>(request_.size())) {
        error = std::string("send: ") + (sent < 0 ? std::strerror(errno) : "short write");
        return false;
    }
    connection_ = std::move(fd);
    return true;
}

bool HttpProbe::Send(std::string& error) noexcept {
    connection_.Reset();
    reply_.clear();
    for (const SocketAddress& target : targets_)
        if (SendTo(target, error)) return true;
    return false;
}

bool HttpProbe::Answered() noexcept {
    if (!connection_.Valid()) return false;
    char buffer[64];
    while (reply_.size() < kStatusLineBytes) {
        ssize_t n = ::recv(connection_.Get(), buffer, sizeof buffer, MSG_DONTWAIT);
        if (n <= 0) break; // nothing more yet, closed, or an error: judge what we have
        reply_.append(buffer, static_cast<std::size_t>(n));
    }
    return reply_.size() >= kStatusLineBytes && reply_.starts_with("HTTP/1.") && reply_[8] == ' ';
}

} // namespace meteremu
