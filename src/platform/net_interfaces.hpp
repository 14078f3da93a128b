// SPDX-License-Identifier: MIT
// The addresses this machine's interfaces carry, for the mDNS address records: a host name
// published over mDNS must resolve, on each link, to an address the HTTP server answers on.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace meteremu {

struct InterfaceAddress {
    unsigned index = 0;                   ///< interface index, as if_nametoindex()
    std::string interface;                ///< "eth0"
    int family = 0;                       ///< AF_INET or AF_INET6
    std::array<std::uint8_t, 16> bytes{}; ///< network order; the first 4 for IPv4

    /// "192.168.1.20" or "fd00::1".
    std::string Text() const;

    // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
    auto operator<=>(const InterfaceAddress&) const = default;
};

/// True for "", "0.0.0.0" and "::": a socket bound there answers on every address.
bool IsWildcardAddress(const std::string& address) noexcept;

/// Where a server bound to `listen_address` can be reached: for a wildcard address every
/// IPv4 address of every interface that is up (batteries and Home Assistant use IPv4; Home
/// Assistant drops IPv6 discoveries), otherwise that one address on the interface holding
/// it. Sorted, so two calls can be compared. Throws std::system_error when the interfaces
/// cannot be listed.
std::vector<InterfaceAddress> ReachableAddresses(const std::string& listen_address);

} // namespace meteremu
