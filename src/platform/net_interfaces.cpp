// SPDX-License-Identifier: MIT
#include "platform/net_interfaces.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <ifaddrs.h>
#include <memory>
#include <net/if.h>
#include <netinet/in.h>
#include <system_error>

namespace meteremu {
namespace {

struct IfAddrsDeleter {
    void operator()(ifaddrs* list) const noexcept { freeifaddrs(list); }
};
using IfAddrsPtr = std::unique_ptr<ifaddrs, IfAddrsDeleter>;

bool ToInterfaceAddress(const ifaddrs& entry, InterfaceAddress& out) {
    if (!entry.ifa_addr || !(entry.ifa_flags & IFF_UP)) return false;
    out = {};
    out.family = entry.ifa_addr->sa_family;
    if (out.family == AF_INET) {
        const auto& v4 = reinterpret_cast<const sockaddr_in&>(*entry.ifa_addr);
        std::memcpy(out.bytes.data(), &v4.sin_addr, 4);
    } else if (out.family == AF_INET6) {
        const auto& v6 = reinterpret_cast<const sockaddr_in6&>(*entry.ifa_addr);
        std::memcpy(out.bytes.data(), &v6.sin6_addr, 16);
    } else {
        return false;
    }
    out.interface = entry.ifa_name;
    out.index = if_nametoindex(entry.ifa_name);
    return out.index != 0;
}

/// The listen address in the form getifaddrs() reports; family 0 for a wildcard.
InterfaceAddress ParseListenAddress(const std::string& address) {
    InterfaceAddress parsed;
    if (IsWildcardAddress(address)) return parsed;
    if (inet_pton(AF_INET, address.c_str(), parsed.bytes.data()) == 1)
        parsed.family = AF_INET;
    else if (inet_pton(AF_INET6, address.c_str(), parsed.bytes.data()) == 1)
        parsed.family = AF_INET6;
    else
        throw std::system_error(EINVAL, std::generic_category(),
                                "'" + address + "' is not an IPv4 or IPv6 address");
    return parsed;
}

} // namespace

std::string InterfaceAddress::Text() const {
    char text[INET6_ADDRSTRLEN] = "?";
    inet_ntop(family, bytes.data(), text, sizeof text);
    return text;
}

bool IsWildcardAddress(const std::string& address) noexcept {
    return address.empty() || address == "0.0.0.0" || address == "::";
}

std::vector<InterfaceAddress> ReachableAddresses(const std::string& listen_address) {
    InterfaceAddress wanted = ParseListenAddress(listen_address);
    ifaddrs* raw = nullptr;
    if (getifaddrs(&raw) != 0)
        throw std::system_error(errno, std::generic_category(), "getifaddrs");
    IfAddrsPtr list(raw);
    std::vector<InterfaceAddress> found;
    for (const ifaddrs* entry = list.get(); entry; entry = entry->ifa_next) {
        InterfaceAddress address;
        if (!ToInterfaceAddress(*entry, address)) continue;
        bool match = wanted.family == 0
                         ? address.family == AF_INET
                         : address.family == wanted.family && address.bytes == wanted.bytes;
        if (match) found.push_back(std::move(address));
    }
    std::sort(found.begin(), found.end());
    found.erase(std::unique(found.begin(), found.end()), found.end());
    return found;
}

} // namespace meteremu
