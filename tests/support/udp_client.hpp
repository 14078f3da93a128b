// SPDX-License-Identifier: MIT
// A UDP client for tests, as a battery uses one: send a request (unicast or broadcast), wait
// a bounded time for the reply, see where it came from.
#pragma once

#include "net/socket.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace meteremu::test {

struct Datagram {
    std::string text;
    std::string from; ///< "10.0.0.1:1010"
};

class UdpClient {
public:
    /// An IPv4 socket bound to `address` (empty: any) on an ephemeral port, broadcast allowed.
    explicit UdpClient(const std::string& address = "");

    /// Sends `text` to an IPv4 `address` and `port`; false when the kernel refused.
    bool Send(const std::string& address, std::uint16_t port, const std::string& text);

    /// The next datagram, or nullopt after `timeout`.
    std::optional<Datagram> Receive(std::chrono::milliseconds timeout);

    std::uint16_t Port() const;

private:
    UniqueFd fd_;
};

} // namespace meteremu::test
