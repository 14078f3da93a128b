// SPDX-License-Identifier: MIT
// A datagram server on its own thread, knowing nothing of the protocol: each datagram goes to
// a DatagramHandler, whose reply (if any) goes back to the sender's address and port. Batteries
// find the meter by a broadcast and then poll it by unicast; both arrive here, and the reply
// is always unicast to the sender, from the address the request was sent to.
#pragma once

#include "core/heartbeat.hpp"
#include "net/client_tracker.hpp"
#include "net/socket.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

struct msghdr;

namespace meteremu {

class DatagramHandler {
public:
    virtual ~DatagramHandler() = default;
    /// One datagram in; the reply datagram, or nullopt to stay silent. The reply's bytes are
    /// the handler's and stay valid until the next call. Runs on the UDP thread; must not
    /// block on the network.
    virtual std::optional<std::string_view> Handle(std::string_view datagram) noexcept = 0;
};

struct UdpLimits {
    /// Longer datagrams are dropped unanswered (a Marstek request is about 50 bytes).
    std::size_t max_request_bytes = 4096;
};

/// Counters for tests and status lines.
struct UdpCounters {
    std::uint64_t received = 0;
    std::uint64_t replied = 0;
    std::uint64_t dropped = 0; ///< too long, or the reply could not be sent
};

class UdpServer {
public:
    /// Serves on already bound datagram sockets (bound by us, or passed in by systemd) and
    /// takes ownership of them; starts the thread. Each sender is reported to `clients` when
    /// given. Throws std::system_error.
    UdpServer(std::vector<UniqueFd> sockets, DatagramHandler& handler, const UdpLimits& limits = {},
              ClientTracker* clients = nullptr);
    /// Stops and joins the thread, then closes the sockets.
    ~UdpServer();

    UdpServer(const UdpServer&) = delete;
    UdpServer& operator=(const UdpServer&) = delete;

    /// "0.0.0.0:1010", "[::]:2220": one per socket, for log lines.
    const std::vector<std::string>& Addresses() const noexcept { return addresses_; }
    std::vector<std::uint16_t> Ports() const;

    UdpCounters Counters() const noexcept;

    /// Ticks at least every 250 ms while the thread runs (for the watchdog).
    const Heartbeat& LoopHeartbeat() const noexcept { return heartbeat_; }

private:
    struct Batch;

    void Run(std::stop_token stop) noexcept;
    void Drain(int fd) noexcept;
    void Answer(int fd, msghdr& request, std::size_t size) noexcept;

    std::vector<UniqueFd> sockets_;
    std::vector<std::string> addresses_;
    DatagramHandler& handler_;
    UdpLimits limits_;
    ClientTracker* clients_;
    Heartbeat heartbeat_;
    std::unique_ptr<Batch> batch_; ///< datagrams received at once; the UDP thread's
    UniqueFd wake_;                ///< eventfd: stop
    std::atomic<std::uint64_t> received_{0}, replied_{0}, dropped_{0};
    std::jthread thread_;
};

} // namespace meteremu
