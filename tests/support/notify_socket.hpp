// SPDX-License-Identifier: MIT
// The service manager's side of sd_notify for tests: a datagram socket the test owns, passed
// to the daemon as NOTIFY_SOCKET. Every message is recorded with the time it arrived.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace meteremu::test {

struct Notification {
    std::chrono::steady_clock::time_point at;
    std::string text; ///< the whole datagram, e.g. "RELOADING=1\nMONOTONIC_USEC=123"

    /// Whether one of its lines is exactly `line`, e.g. "READY=1".
    bool Has(const std::string& line) const;
    /// The value of `name=` in it, if present.
    std::optional<std::string> Value(const std::string& name) const;
};

class NotifySocket {
public:
    /// Binds a socket at `path` (a file that must not exist yet).
    explicit NotifySocket(std::filesystem::path path);
    ~NotifySocket();

    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;

    /// "NOTIFY_SOCKET=<path>", for the daemon's environment.
    std::string Environment() const { return "NOTIFY_SOCKET=" + path_.string(); }

    std::vector<Notification> All() const;

    /// Waits for a message, at index `from` or later, having `line` (see Notification::Has);
    /// returns its index, or nullopt after `timeout`.
    std::optional<std::size_t>
    WaitFor(const std::string& line, std::size_t from = 0,
            std::chrono::milliseconds timeout = std::chrono::seconds(10));

    /// Waits for a message, at index `from` or later, for which `match` is true.
    std::optional<std::size_t>
    WaitUntil(const std::function<bool(const Notification&)>& match, std::size_t from = 0,
              std::chrono::milliseconds timeout = std::chrono::seconds(10));

    /// Messages having `line`, from index `from` on.
    std::vector<Notification> With(const std::string& line, std::size_t from = 0) const;

private:
    void Receive() noexcept;

    std::filesystem::path path_;
    int fd_ = -1;
    bool stop_ = false;
    mutable std::mutex mutex_;
    std::condition_variable arrived_;
    std::vector<Notification> messages_;
    std::thread reader_;
};

} // namespace meteremu::test
