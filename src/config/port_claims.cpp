// SPDX-License-Identifier: MIT
#include "config/port_claims.hpp"

#include <arpa/inet.h>
#include <array>
#include <optional>

namespace meteremu {
namespace {

enum class Scope { Everything, EveryIpv4, OneAddress };

struct ListenAddress {
    Scope scope = Scope::OneAddress;
    bool ipv4 = false;
    std::array<unsigned char, 16> bytes{};
};

// nullopt for text that is no address: it cannot be bound, so it only clashes with itself.
std::optional<ListenAddress> Classify(const std::string& text) {
    ListenAddress address;
    if (text.empty()) return ListenAddress{Scope::Everything};
    if (inet_pton(AF_INET, text.c_str(), address.bytes.data()) == 1) {
        address.ipv4 = true;
        bool any = address.bytes[0] == 0 && address.bytes[1] == 0 && address.bytes[2] == 0 &&
                   address.bytes[3] == 0;
        if (any) address.scope = Scope::EveryIpv4;
        return address;
    }
    if (inet_pton(AF_INET6, text.c_str(), address.bytes.data()) != 1) return std::nullopt;
    // "::" is dual-stack on Linux unless bindv6only is set: it takes the IPv4 ports too.
    if (address.bytes == std::array<unsigned char, 16>{}) address.scope = Scope::Everything;
    return address;
}

bool Covers(const ListenAddress& wide, const ListenAddress& other) {
    if (wide.scope == Scope::Everything) return true;
    return wide.scope == Scope::EveryIpv4 && other.ipv4;
}

std::string Describe(const std::string& address, std::uint16_t port) {
    return address.empty() ? "port " + std::to_string(port) + " on every address"
                           : "port " + std::to_string(port) + " on " + address;
}

} // namespace

bool ListenAddressesOverlap(const std::string& first, const std::string& second) {
    auto a = Classify(first);
    auto b = Classify(second);
    if (!a || !b) return first == second;
    return Covers(*a, *b) || Covers(*b, *a) || (a->ipv4 == b->ipv4 && a->bytes == b->bytes);
}

const PortClaims::Port* PortClaims::Holder(const Port& wanted) const {
    for (const Port& port : claimed_)
        if (port.protocol == wanted.protocol && port.port == wanted.port &&
            ListenAddressesOverlap(port.address, wanted.address))
            return &port;
    return nullptr;
}

void PortClaims::Check(ConfigSection& section, const Port& wanted, std::size_t index) {
    pending_.push_back(wanted);
    const Port* holder = Holder(wanted);
    if (!holder) return;
    bool tcp = wanted.protocol == Protocol::Tcp;
    std::string message =
        std::string(tcp ? "TCP " : "UDP ") + Describe(wanted.address, wanted.port) +
        " is already claimed at line " + std::to_string(holder->where.line) +
        " by another frontend; give each frontend its own ports or listen_address";
    if (tcp)
        section.ErrorAt("http_port", message);
    else
        section.ErrorAtElement("udp_ports", index, message);
}

void PortClaims::Claim(ConfigSection& section, const ListenSettings& listen) {
    pending_.clear();
    if (listen.http_port != 0)
        Check(section,
              {Protocol::Tcp, listen.address, listen.http_port, section.PositionOf("http_port")},
              0);
    for (std::size_t i = 0; i < listen.udp_ports.size(); ++i) {
        if (listen.udp_ports[i] == 0) continue;
        Check(section,
              {Protocol::Udp, listen.address, listen.udp_ports[i],
               section.ElementPosition("udp_ports", i)},
              i);
    }
    claimed_.insert(claimed_.end(), pending_.begin(), pending_.end());
}

} // namespace meteremu
