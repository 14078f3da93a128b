// SPDX-License-Identifier: MIT
// Each frontend's ports, so that two frontends never claim the same one: the second would
// fail to bind at start (or, under systemd, share a socket it cannot tell apart).
#pragma once

#include "config/config.hpp"
#include "config/config_section.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace meteremu {

class PortClaims {
public:
    /// Checks the ports of the frontend read by `section` against those of every frontend
    /// claimed before it, reporting each clash as an error at this (the second) claim, then
    /// claims them. Port 0 (any free port) never clashes.
    void Claim(ConfigSection& section, const ListenSettings& listen);

private:
    enum class Protocol { Tcp, Udp };
    struct Port {
        Protocol protocol;
        std::string address;
        std::uint16_t port;
        toml::source_position where;
    };

    const Port* Holder(const Port& wanted) const;
    void Check(ConfigSection& section, const Port& wanted, std::size_t index);

    std::vector<Port> claimed_;
    std::vector<Port> pending_;
};

/// Whether sockets bound on the two listen addresses ("" is every address, IPv6 and IPv4)
/// can receive the same packets.
bool ListenAddressesOverlap(const std::string& first, const std::string& second);

} // namespace meteremu
