// SPDX-License-Identifier: MIT
#include "net/client_tracker.hpp"

#include <algorithm>
#include <cstring>
#include <netinet/in.h>

namespace meteremu {
namespace {

/// The address as 16 bytes; false for a family that is not IP (e.g. a Unix socket).
bool AddressBytes(const sockaddr* address, std::array<std::uint8_t, 16>& bytes) noexcept {
    if (!address) return false;
    if (address->sa_family == AF_INET6) {
        std::memcpy(bytes.data(), &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, 16);
        return true;
    }
    if (address->sa_family != AF_INET) return false;
    bytes.fill(0);
    bytes[10] = bytes[11] = 0xff;
    std::memcpy(bytes.data() + 12, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, 4);
    return true;
}

} // namespace

ClientTracker::ClientTracker(std::chrono::seconds window, std::size_t capacity)
    : window_(window), capacity_(std::max<std::size_t>(capacity, 1)) {
    entries_.reserve(capacity_);
}

void ClientTracker::Seen(const sockaddr* address, SteadyTime now) noexcept {
    std::array<std::uint8_t, 16> bytes;
    if (!AddressBytes(address, bytes)) return;
    std::lock_guard lock(mutex_);
    auto known = std::find_if(entries_.begin(), entries_.end(),
                              [&](const Entry& entry) { return entry.address == bytes; });
    if (known != entries_.end()) {
        known->last_seen = now;
    } else if (entries_.size() < capacity_) {
        entries_.push_back({bytes, now}); // within the reserved capacity: no allocation
    } else {
        auto oldest =
            std::min_element(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
                return a.last_seen < b.last_seen;
            });
        *oldest = {bytes, now};
    }
}

std::size_t ClientTracker::Count(SteadyTime now) const noexcept {
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(
        std::count_if(entries_.begin(), entries_.end(),
                      [&](const Entry& entry) { return now - entry.last_seen <= window_; }));
}

} // namespace meteremu
