// SPDX-License-Identifier: MIT
// Network namespaces for system tests: a private network the test builds (namespaces joined by
// a veth pair) so broadcast and real ports never touch the host's interfaces. Everything is
// created with ip(8) and deleted when the object goes away, also when the test fails.
#pragma once

#include "net/socket.hpp"

#include <functional>
#include <string>
#include <vector>

namespace meteremu::test {

/// Why namespaces cannot be used here (not root, no ip(8), no permission), or "" when they can.
std::string NetnsUnavailableReason();

/// Two namespaces, "<name>-a" and "<name>-b", joined by a veth pair: 10.<net>.<subnet>.1/24 on
/// the a side, .2 on the b side, broadcast .255, loopback up in both.
class VethNetwork {
public:
    /// `name` should be unique on the machine (include the area and the test's pid). Throws
    /// std::runtime_error with ip's message when the network cannot be built.
    explicit VethNetwork(const std::string& name);
    ~VethNetwork();

    VethNetwork(const VethNetwork&) = delete;
    VethNetwork& operator=(const VethNetwork&) = delete;

    const std::string& NamespaceA() const noexcept { return a_; }
    const std::string& NamespaceB() const noexcept { return b_; }
    const std::string& AddressA() const noexcept { return address_a_; }
    const std::string& AddressB() const noexcept { return address_b_; }
    const std::string& Broadcast() const noexcept { return broadcast_; }

    /// Runs `make` on a thread that has entered namespace B: sockets it creates live there.
    void InNamespaceB(const std::function<void()>& make) const;

    /// `ip netns exec <ns> <program...>` as an argument vector.
    std::vector<std::string> ExecIn(const std::string& ns,
                                    const std::vector<std::string>& program) const;

private:
    void Delete() noexcept;

    std::string a_, b_;
    std::string address_a_, address_b_, broadcast_;
    bool created_a_ = false, created_b_ = false;
};

} // namespace meteremu::test
