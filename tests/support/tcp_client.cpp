// SPDX-License-Identifier: MIT
#include "support/tcp_client.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>

namespace meteremu::test {
namespace {

using Clock = std::chrono::steady_clock;

int MillisecondsLeft(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return static_cast<int>(std::max<std::int64_t>(0, left.count()));
}

/// The next bytes, waiting until `deadline`: >0 bytes read, 0 closed, -1 nothing in time.
ssize_t ReadSome(int fd, std::string& into, Clock::time_point deadline) {
    pollfd ready{fd, POLLIN, 0};
    if (poll(&ready, 1, MillisecondsLeft(deadline)) <= 0) return -1;
    char chunk[4096];
    ssize_t size = recv(fd, chunk, sizeof chunk, MSG_DONTWAIT);
    if (size > 0) into.append(chunk, static_cast<size_t>(size));
    if (size < 0 && (errno == EAGAIN || errno == EINTR)) return -1;
    return size < 0 ? 0 : size; // a reset counts as closed
}

} // namespace

UniqueFd ConnectFrom(const std::string& source, std::uint16_t port) {
    UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd.Valid()) throw std::runtime_error("socket failed");
    if (!source.empty()) {
        sockaddr_in local{};
        local.sin_family = AF_INET;
        if (inet_pton(AF_INET, source.c_str(), &local.sin_addr) != 1 ||
            bind(fd.Get(), reinterpret_cast<sockaddr*>(&local), sizeof local))
            throw std::runtime_error("cannot bind to " + source);
    }
    sockaddr_in server{};
    server.sin_family = AF_INET;
    server.sin_port = htons(port);
    server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd.Get(), reinterpret_cast<sockaddr*>(&server), sizeof server))
        throw std::runtime_error("cannot connect from " + source + " to port " +
                                 std::to_string(port));
    return fd;
}

bool SendAll(int fd, std::string_view bytes) noexcept {
    while (!bytes.empty()) {
        ssize_t sent = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (sent <= 0) return false;
        bytes.remove_prefix(static_cast<size_t>(sent));
    }
    return true;
}

std::string ReadUntilClosed(int fd, std::chrono::milliseconds timeout, bool& closed) {
    auto deadline = Clock::now() + timeout;
    std::string answer;
    closed = false;
    for (;;) {
        ssize_t got = ReadSome(fd, answer, deadline);
        if (got == 0) closed = true;
        if (got <= 0) return answer;
    }
}

bool ClosedSilently(int fd, std::chrono::milliseconds timeout) {
    bool closed = false;
    std::string answer = ReadUntilClosed(fd, timeout, closed);
    return closed && answer.empty();
}

std::string Exchange(int fd, std::string_view request, std::chrono::milliseconds timeout) {
    if (!SendAll(fd, request)) return {};
    auto deadline = Clock::now() + timeout;
    std::string answer;
    for (;;) {
        auto head_end = answer.find("\r\n\r\n");
        if (head_end != std::string::npos) {
            auto length_at = answer.find("Content-Length: ");
            if (length_at != std::string::npos && length_at < head_end) {
                size_t length = std::stoul(answer.substr(length_at + 16));
                if (answer.size() >= head_end + 4 + length) return answer;
            }
        }
        if (ReadSome(fd, answer, deadline) <= 0) return answer;
    }
}

std::string GetRequest(std::string_view path) {
    return "GET " + std::string(path) + " HTTP/1.1\r\nHost: meter\r\n\r\n";
}

int StatusOf(std::string_view answer) {
    if (!answer.starts_with("HTTP/1.") || answer.size() < 12) return 0;
    return std::stoi(std::string(answer.substr(9, 3)));
}

} // namespace meteremu::test
