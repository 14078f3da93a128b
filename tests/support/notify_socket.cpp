// SPDX-License-Identifier: MIT
#include "support/notify_socket.hpp"

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace meteremu::test {

bool Notification::Has(const std::string& line) const {
    std::istringstream lines(text);
    for (std::string each; std::getline(lines, each);)
        if (each == line) return true;
    return false;
}

std::optional<std::string> Notification::Value(const std::string& name) const {
    std::istringstream lines(text);
    for (std::string each; std::getline(lines, each);)
        if (each.starts_with(name + "=")) return each.substr(name.size() + 1);
    return std::nullopt;
}

NotifySocket::NotifySocket(std::filesystem::path path) : path_(std::move(path)) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path_.string().size() >= sizeof address.sun_path)
        throw std::runtime_error("notify socket path too long: " + path_.string());
    std::strcpy(address.sun_path, path_.c_str());
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address))
        throw std::runtime_error("cannot bind the notify socket: " +
                                 std::string(std::strerror(errno)));
    reader_ = std::thread([this] { Receive(); });
}

NotifySocket::~NotifySocket() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    reader_.join();
    close(fd_);
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
}

void NotifySocket::Receive() noexcept {
    char buffer[4096];
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (stop_) return;
        }
        pollfd ready{fd_, POLLIN, 0};
        if (poll(&ready, 1, 50) <= 0) continue; // wakes every 50 ms to see stop_
        ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
        if (n <= 0) continue;
        std::lock_guard lock(mutex_);
        messages_.push_back(
            {std::chrono::steady_clock::now(), std::string(buffer, static_cast<std::size_t>(n))});
        arrived_.notify_all();
    }
}

std::vector<Notification> NotifySocket::All() const {
    std::lock_guard lock(mutex_);
    return messages_;
}

std::optional<std::size_t> NotifySocket::WaitFor(const std::string& line, std::size_t from,
                                                 std::chrono::milliseconds timeout) {
    return WaitUntil([&](const Notification& message) { return message.Has(line); }, from, timeout);
}

std::optional<std::size_t>
NotifySocket::WaitUntil(const std::function<bool(const Notification&)>& match, std::size_t from,
                        std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mutex_);
    for (std::size_t next = from;;) {
        for (; next < messages_.size(); ++next)
            if (match(messages_[next])) return next;
        if (arrived_.wait_until(lock, deadline) == std::cv_status::timeout &&
            next == messages_.size())
            return std::nullopt;
    }
}

std::vector<Notification> NotifySocket::With(const std::string& line, std::size_t from) const {
    std::lock_guard lock(mutex_);
    std::vector<Notification> matching;
    for (std::size_t i = from; i < messages_.size(); ++i)
        if (messages_[i].Has(line)) matching.push_back(messages_[i]);
    return matching;
}

} // namespace meteremu::test
