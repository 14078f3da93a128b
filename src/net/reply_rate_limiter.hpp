// SPDX-License-Identifier: MIT
// How many UDP replies one source address gets per second. A UDP request's source address can
// be forged, and a 50-byte request earns up to 20 times as much (frontends/jsonrpc/rpc_udp.hpp):
// without a budget the meter would amplify floods at whoever the forger names. Each address has a
// token bucket (a burst of `rate` replies, refilled at `rate` per second); the table of addresses
// is bounded, and while it is full of recent senders a new address gets nothing, so a flood from
// many forged addresses cannot buy a fresh budget per address either; what all of them get
// together is bounded by net/reply_byte_budget.hpp.
//
// 127.0.0.1 and ::1 have no budget: nothing from the network can carry either address.
#pragma once

#include "core/clock.hpp"
#include "net/ip_address.hpp"

#include <cstddef>
#include <unordered_map>

namespace meteremu {

class ReplyRateLimiter {
public:
    /// `rate`: replies per second per address; 0: no limit. `capacity`: addresses remembered.
    explicit ReplyRateLimiter(double rate, std::size_t capacity = 4096);

    /// Whether a reply to `address` may go out at `now`; spends from its budget when it may.
    /// Not thread-safe: one UDP thread asks.
    bool Allow(const IpAddress& address, SteadyTime now) noexcept;

private:
    struct Bucket {
        double tokens;
        SteadyTime updated;
    };

    /// Forgets the addresses whose budget is whole again; at most once per kSweepInterval.
    void Sweep(SteadyTime now) noexcept;

    double rate_;
    double burst_;
    std::size_t capacity_;
    SteadyTime last_sweep_{};
    std::unordered_map<IpAddress, Bucket, IpAddressHash> buckets_;
};

} // namespace meteremu
