// SPDX-License-Identifier: MIT
#include "net/reply_rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace meteremu {
namespace {

/// A full table is swept at most this often: a flood of new addresses costs one pass over
/// the table per interval, not one per datagram.
constexpr auto kSweepInterval = std::chrono::milliseconds(100);

} // namespace

ReplyRateLimiter::ReplyRateLimiter(double rate, std::size_t capacity)
    : rate_(rate), burst_(std::max(1.0, std::ceil(rate))),
      capacity_(std::max<size_t>(capacity, 1)) {
    if (rate_ > 0) buckets_.reserve(capacity_);
}

void ReplyRateLimiter::Sweep(SteadyTime now) noexcept {
    if (now - last_sweep_ < kSweepInterval) return;
    last_sweep_ = now;
    // A bucket idle for burst/rate seconds is full again: forgetting it changes nothing.
    auto refill = std::chrono::duration<double>(burst_ / rate_);
    std::erase_if(buckets_, [&](const auto& item) { return now - item.second.updated >= refill; });
}

bool ReplyRateLimiter::Allow(const IpAddress& address, SteadyTime now) noexcept {
    if (rate_ <= 0 || address.IsHostLoopback()) return true;
    auto found = buckets_.find(address);
    if (found == buckets_.end()) {
        if (buckets_.size() >= capacity_) Sweep(now);
        if (buckets_.size() >= capacity_) return false;
        try {
            buckets_.emplace(address, Bucket{burst_ - 1, now});
        } catch (...) {
            return false;
        }
        return true;
    }
    Bucket& bucket = found->second;
    double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
    bucket.tokens = std::min(burst_, bucket.tokens + std::max(0.0, elapsed) * rate_);
    bucket.updated = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
}

} // namespace meteremu
