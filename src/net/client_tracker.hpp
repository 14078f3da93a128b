// SPDX-License-Identifier: MIT
// Counts the distinct client addresses that sent a request recently, for the systemd STATUS
// line ("2 clients"). Batteries poll every 0.4–2 s and Home Assistant every few seconds, so
// "seen within the last minute" counts each of them once, whatever transport it uses and
// however many connections it opens. Every server (HTTP, UDP) reports into the same tracker.
// It also tells when an address polls for the first time and when one that polled regularly
// goes quiet (TakeEvents), the two facts a person needs when a battery does not find the
// meter or stops using it.
#pragma once

#include "core/clock.hpp"
#include "net/ip_address.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <sys/socket.h>
#include <vector>

namespace meteremu {

enum class ClientTransport : std::uint8_t { Http, WebSocket, Udp };
std::string_view TransportName(ClientTransport transport) noexcept;

/// Where a request came in: the transport and our port.
struct ClientVia {
    ClientTransport transport = ClientTransport::Http;
    std::uint16_t port = 0;
};

struct ClientEvent {
    enum class Kind : std::uint8_t {
        FirstPoll, ///< an address not seen before (or forgotten) sent a request
        WentQuiet, ///< an address that polled regularly has not for a while
        Back,      ///< an address reported quiet polls again
    };
    Kind kind = Kind::FirstPoll;
    IpAddress address;
    ClientVia via;       ///< of its first request (FirstPoll) or its last one
    Seconds interval{0}; ///< its mean time between requests; 0: not known yet
    SteadyTime last_seen{};
};

/// One address as the tracker knows it, for the status page.
struct ClientInfo {
    IpAddress address;
    ClientVia via; ///< of its latest request
    std::uint32_t polls = 0;
    Seconds interval{0}; ///< mean time between requests; 0 until the second
    SteadyTime first_seen{};
    SteadyTime last_seen{};
};

class ClientTracker {
public:
    /// Remembers at most `capacity` addresses; past that the longest-silent one is forgotten,
    /// so the count saturates at `capacity` rather than growing with a scan of the network.
    explicit ClientTracker(std::chrono::seconds window = std::chrono::seconds(60),
                           std::size_t capacity = 64);

    /// Notes a request from `address` (IPv4 or IPv6; the port is ignored) that came in `via`.
    /// Thread-safe, allocation-free.
    void Seen(const sockaddr* address, SteadyTime now, ClientVia via = {}) noexcept;

    /// Distinct addresses seen within the window before `now`. Thread-safe.
    std::size_t Count(SteadyTime now) const noexcept;

    /// What happened since the last call: the first request of each new address, and each
    /// address that polled at least kRegularPolls times and then not for kQuietAfter times
    /// its mean interval (at least kQuietFloor), and polls again. Each is told once.
    std::vector<ClientEvent> TakeEvents(SteadyTime now);

    /// The addresses seen within `within` before `now`, the most recent first.
    std::vector<ClientInfo> Recent(SteadyTime now, Seconds within) const;

    static constexpr std::uint32_t kRegularPolls = 5;
    static constexpr double kQuietAfter = 5;
    static constexpr Seconds kQuietFloor{30};

private:
    struct Entry {
        IpAddress address;
        SteadyTime last_seen;
        ClientVia via; ///< of the last request
        SteadyTime first_seen = last_seen;
        std::uint32_t polls = 1;
        Seconds interval{0}; ///< exponential mean; 0 until the second request
        bool announced = false;
        bool quiet = false; ///< reported quiet; its next request is told as Back
        bool back = false;
    };

    static bool IsQuiet(const Entry& entry, SteadyTime now) noexcept;

    SteadyTime::duration window_;
    std::size_t capacity_;
    mutable std::mutex mutex_;
    std::vector<Entry> entries_;
};

} // namespace meteremu
