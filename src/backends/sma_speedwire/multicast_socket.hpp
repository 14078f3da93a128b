// SPDX-License-Identifier: MIT
// A UDP socket that has joined SMA's multicast group (239.12.255.254, port 9522) on one
// interface, and waits a bounded time for the next datagram.
#pragma once

#include "util/unique_fd.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace meteremu::sma {

inline constexpr const char* kMulticastGroup = "239.12.255.254";
inline constexpr std::uint16_t kMulticastPort = 9522;

/// What Receive() got: the datagram's size and who sent it ("192.168.1.40").
struct Received {
    std::size_t size = 0;
    std::string sender;
};

class MulticastSocket {
public:
    /// Joins the group on `interface`: an interface name ("eth0"), one of its IPv4 addresses,
    /// or "" for the one the kernel routes multicast through. Other programs may listen on
    /// the same port (SO_REUSEADDR). Throws std::system_error or std::runtime_error saying
    /// what failed.
    explicit MulticastSocket(const std::string& interface);

    /// Waits up to `timeout` for one datagram into `buffer` (a longer one is cut, and its
    /// size says so); nullopt when none came. Throws std::system_error.
    std::optional<Received> Receive(std::span<std::uint8_t> buffer,
                                    std::chrono::milliseconds timeout);

private:
    UniqueFd fd_;
};

} // namespace meteremu::sma
