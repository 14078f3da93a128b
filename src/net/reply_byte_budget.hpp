// SPDX-License-Identifier: MIT
// How many bytes of UDP replies the meter sends per second, to all senders together. The
// budget per address (net/reply_rate_limiter.hpp) does not bound a flood from many forged
// addresses: 300 of them, each within its own budget, drew 10 MB of replies in a second. This
// one does, whatever the number of senders and sockets: a token bucket of bytes, refilled at
// the rate, holding one second's worth (at least kMinBurst, so any datagram can pass).
//
// The readings batteries poll come first: a priority reply may spend the whole bucket, any
// other only what lies above half of it. A flood of other requests keeps the bucket near
// half full, and a battery's polls are paid from that reserve, which the refill restores
// before the flood may spend again.
#pragma once

#include "core/clock.hpp"

#include <cstddef>

namespace meteremu {

class ReplyByteBudget {
public:
    /// The smallest bucket: two of the largest IPv4 datagrams.
    static constexpr double kMinBurst = 2 * 65507;

    /// `bytes_per_second`: 0 is no limit. The bucket starts full.
    explicit ReplyByteBudget(std::size_t bytes_per_second);

    /// Whether a reply of `bytes` may go out at `now`; spends them when it may. Not
    /// thread-safe: the UDP server asks under the lock its sockets' threads share.
    bool Spend(std::size_t bytes, bool priority, SteadyTime now) noexcept;

    /// What the bucket holds when full, in bytes.
    double Burst() const noexcept { return burst_; }

private:
    double rate_;
    double burst_;
    double tokens_;
    SteadyTime updated_{};
};

} // namespace meteremu
