// SPDX-License-Identifier: MIT
// Which clients may talk to the meter (the `allow` key): a list of networks, empty for every
// client. Every transport asks the same ClientFilter, so one list covers HTTP, the WebSocket
// and UDP, and a reload swaps it for all of them at once.
#pragma once

#include "net/ip_address.hpp"
#include "util/shared_slot.hpp"

#include <memory>
#include <vector>

namespace meteremu {

class AllowList {
public:
    /// No networks: every client is allowed.
    AllowList() = default;
    explicit AllowList(std::vector<IpNetwork> networks) : networks_(std::move(networks)) {}

    bool Empty() const noexcept { return networks_.empty(); }
    const std::vector<IpNetwork>& Networks() const noexcept { return networks_; }

    /// Whether `address` is in one of the networks. With networks listed, loopback (127.0.0.1
    /// and ::1) is allowed too: the daemon's watchdog probes its own server through it.
    bool Allows(const IpAddress& address) const noexcept;

    bool operator==(const AllowList&) const = default;

private:
    std::vector<IpNetwork> networks_;
};

/// The allow list the servers consult, replaceable while they serve. Thread-safe.
class ClientFilter {
public:
    explicit ClientFilter(AllowList list = {});

    void Replace(AllowList list);

    /// Whether a client at `peer` may be served; false for a non-IP address when a list is set.
    bool Allows(const sockaddr* peer) const noexcept;

private:
    SharedSlot<const AllowList> list_;
};

} // namespace meteremu
