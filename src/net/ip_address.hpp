// SPDX-License-Identifier: MIT
// An IP address as the limits and the allow list compare it: 16 bytes, IPv4 written as the
// v4-mapped ::ffff:a.b.c.d, so one comparison serves both families and a dual-stack socket's
// IPv4 peers match the IPv4 networks of the configuration.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <sys/socket.h>

namespace meteremu {

struct IpAddress {
    std::array<std::uint8_t, 16> bytes{};

    /// The address of an AF_INET or AF_INET6 socket address; nullopt for any other family.
    static std::optional<IpAddress> Of(const sockaddr* address) noexcept;
    /// "192.0.2.1" or "2001:db8::1"; nullopt when it is neither.
    static std::optional<IpAddress> Parse(std::string_view text);

    bool IsV4() const noexcept;
    /// 127.0.0.1 or ::1: the host talking to itself (a remote peer cannot appear as either).
    bool IsHostLoopback() const noexcept;
    /// "192.0.2.1" for IPv4 (also when mapped), "2001:db8::1" for IPv6.
    std::string ToString() const;
    /// What the limits per client count as one client: an IPv4 address, or an IPv6 address's
    /// /64 (its interface part zeroed), since a single IPv6 host may use any number of
    /// addresses in its /64. A link-local address (fe80::/10) stays whole: every host on the
    /// link shares that /64, and none can reach the server from another link.
    IpAddress Client() const noexcept;

    auto operator<=>(const IpAddress&) const = default;
};

struct IpAddressHash {
    std::size_t operator()(const IpAddress& address) const noexcept;
};

/// A network in CIDR notation: the address and how many leading bits must match, counted in
/// the 128 bits of the 16-byte form (an IPv4 /24 is 120 here).
struct IpNetwork {
    IpAddress address;
    unsigned prefix = 128;

    /// "192.168.1.0/24", "fd00::/8", or a bare address (/32 or /128). An error message in
    /// `error` when the text is not a network, or has bits set after the prefix.
    static std::optional<IpNetwork> Parse(std::string_view text, std::string& error);

    bool Contains(const IpAddress& candidate) const noexcept;
    /// As it would be written in the configuration.
    std::string ToString() const;

    bool operator==(const IpNetwork&) const = default;
};

} // namespace meteremu
