// SPDX-License-Identifier: MIT
// Counts the distinct client addresses that sent a request recently, for the systemd STATUS
// line ("2 clients"). Batteries poll every 0.4–2 s and Home Assistant every few seconds, so
// "seen within the last minute" counts each of them once, whatever transport it uses and
// however many connections it opens. Every server (HTTP, UDP) reports into the same tracker.
#pragma once

#include "core/clock.hpp"
#include "net/ip_address.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <sys/socket.h>
#include <vector>

namespace meteremu {

class ClientTracker {
public:
    /// Remembers at most `capacity` addresses; past that the longest-silent one is forgotten,
    /// so the count saturates at `capacity` rather than growing with a scan of the network.
    explicit ClientTracker(std::chrono::seconds window = std::chrono::seconds(60),
                           std::size_t capacity = 64);

    /// Notes a request from `address` (IPv4 or IPv6; the port is ignored). Thread-safe,
    /// allocation-free.
    void Seen(const sockaddr* address, SteadyTime now) noexcept;

    /// Distinct addresses seen within the window before `now`. Thread-safe.
    std::size_t Count(SteadyTime now) const noexcept;

private:
    struct Entry {
        IpAddress address;
        SteadyTime last_seen;
    };

    SteadyTime::duration window_;
    std::size_t capacity_;
    mutable std::mutex mutex_;
    std::vector<Entry> entries_;
};

} // namespace meteremu
