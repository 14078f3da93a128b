// SPDX-License-Identifier: MIT
#include "net/client_tracker.hpp"

#include <algorithm>

namespace meteremu {

ClientTracker::ClientTracker(std::chrono::seconds window, std::size_t capacity)
    : window_(window), capacity_(std::max<std::size_t>(capacity, 1)) {
    entries_.reserve(capacity_);
}

void ClientTracker::Seen(const sockaddr* address, SteadyTime now) noexcept {
    auto ip = IpAddress::Of(address);
    if (!ip) return;
    std::lock_guard lock(mutex_);
    auto known = std::find_if(entries_.begin(), entries_.end(),
                              [&](const Entry& entry) { return entry.address == *ip; });
    if (known != entries_.end()) {
        known->last_seen = now;
    } else if (entries_.size() < capacity_) {
        entries_.push_back({*ip, now}); // within the reserved capacity: no allocation
    } else {
        auto oldest =
            std::min_element(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
                return a.last_seen < b.last_seen;
            });
        *oldest = {*ip, now};
    }
}

std::size_t ClientTracker::Count(SteadyTime now) const noexcept {
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(
        std::count_if(entries_.begin(), entries_.end(),
                      [&](const Entry& entry) { return now - entry.last_seen <= window_; }));
}

} // namespace meteremu
