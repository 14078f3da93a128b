// SPDX-License-Identifier: MIT
#include "net/ip_address.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <charconv>
#include <cstring>
#include <netinet/in.h>

namespace meteremu {
namespace {

constexpr std::array<std::uint8_t, 12> kV4MappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
/// Bits of the 16-byte form before the IPv4 part.
constexpr unsigned kV4Offset = 96;

IpAddress FromV4(const in_addr& v4) noexcept {
    IpAddress address;
    std::memcpy(address.bytes.data(), kV4MappedPrefix.data(), kV4MappedPrefix.size());
    std::memcpy(address.bytes.data() + 12, &v4, 4);
    return address;
}

} // namespace

std::optional<IpAddress> IpAddress::Of(const sockaddr* address) noexcept {
    if (!address) return std::nullopt;
    if (address->sa_family == AF_INET)
        return FromV4(reinterpret_cast<const sockaddr_in*>(address)->sin_addr);
    if (address->sa_family != AF_INET6) return std::nullopt;
    IpAddress result;
    std::memcpy(result.bytes.data(), &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr,
                16);
    return result;
}

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
    std::string terminated(text);
    in_addr v4;
    if (inet_pton(AF_INET, terminated.c_str(), &v4) == 1) return FromV4(v4);
    IpAddress result;
    if (inet_pton(AF_INET6, terminated.c_str(), result.bytes.data()) == 1) return result;
    return std::nullopt;
}

bool IpAddress::IsV4() const noexcept {
    return std::memcmp(bytes.data(), kV4MappedPrefix.data(), kV4MappedPrefix.size()) == 0;
}

bool IpAddress::IsHostLoopback() const noexcept {
    static constexpr IpAddress kV4{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1}};
    static constexpr IpAddress kV6{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
    return *this == kV4 || *this == kV6;
}

IpAddress IpAddress::Client() const noexcept {
    bool link_local = bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80;
    if (IsV4() || link_local) return *this;
    IpAddress network = *this;
    std::fill(network.bytes.begin() + 8, network.bytes.end(), std::uint8_t{0});
    return network;
}

std::string IpAddress::ToString() const {
    char text[INET6_ADDRSTRLEN] = {};
    if (IsV4())
        inet_ntop(AF_INET, bytes.data() + 12, text, sizeof text);
    else
        inet_ntop(AF_INET6, bytes.data(), text, sizeof text);
    return text;
}

std::size_t IpAddressHash::operator()(const IpAddress& address) const noexcept {
    // FNV-1a: the addresses are not chosen to collide by anyone who could gain from it more
    // than a slower lookup in a table that is bounded anyway.
    std::uint64_t hash = 14695981039346656037ull;
    for (std::uint8_t byte : address.bytes)
        hash = (hash ^ byte) * 1099511628211ull;
    return static_cast<std::size_t>(hash);
}

std::optional<IpNetwork> IpNetwork::Parse(std::string_view text, std::string& error) {
    auto slash = text.find('/');
    auto address = IpAddress::Parse(text.substr(0, slash));
    if (!address) {
        error = "\"" + std::string(text) + "\" is not an IPv4 or IPv6 address or network";
        return std::nullopt;
    }
    bool v4_text = text.substr(0, slash).find(':') == std::string_view::npos;
    unsigned width = v4_text ? 32 : 128;
    unsigned bits = width;
    if (slash != std::string_view::npos) {
        std::string_view digits = text.substr(slash + 1);
        auto [end, failure] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
        if (digits.empty() || failure != std::errc() || end != digits.data() + digits.size() ||
            bits > width) {
            error = "\"" + std::string(text) + "\": the prefix length after / must be 0 to " +
                    std::to_string(width);
            return std::nullopt;
        }
    }
    IpNetwork network{*address, bits + (v4_text ? kV4Offset : 0)};
    IpNetwork masked = network;
    for (unsigned bit = masked.prefix; bit < 128; ++bit)
        masked.address.bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
    if (masked.address != network.address) {
        error = "\"" + std::string(text) + "\" has bits set after the prefix; the network is " +
                masked.ToString();
        return std::nullopt;
    }
    return network;
}

bool IpNetwork::Contains(const IpAddress& candidate) const noexcept {
    unsigned whole = prefix / 8;
    if (std::memcmp(address.bytes.data(), candidate.bytes.data(), whole) != 0) return false;
    if (prefix % 8 == 0) return true;
    auto mask = static_cast<std::uint8_t>(0xff00u >> (prefix % 8));
    return (address.bytes[whole] & mask) == (candidate.bytes[whole] & mask);
}

std::string IpNetwork::ToString() const {
    unsigned bits = address.IsV4() && prefix >= kV4Offset ? prefix - kV4Offset : prefix;
    return address.ToString() + "/" + std::to_string(bits);
}

} // namespace meteremu
