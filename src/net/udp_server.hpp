// SPDX-License-Identifier: MIT
// A datagram server, knowing nothing of the protocol: each datagram goes to a DatagramHandler,
// whose reply (if any) goes back to the sender's address and port. Batteries find the meter by
// a broadcast and then poll it by unicast; both arrive here, and the reply is always unicast
// to the sender, from the address the request was sent to. Each socket has a thread of its
// own that sleeps in its receive (one system call per wait and datagram, as the simplest
// server has; bench/ holds the rate to 0.8x of such a server).
//
// With a sample gate (core/sample_gate.hpp), a reply that carries a sample goes out only as
// the gate decides for its sender: at once, never (drop), or later (hold). A held poll is kept
// by the thread of its socket (its request bytes, sender and reply address; one per sender,
// the newest) and asked of the handler again when SampleArrived() wakes the thread or its
// deadline passes; the thread then waits in poll() on the socket and an eventfd instead of
// sleeping in its receive, only while it holds polls.
#pragma once

#include "core/heartbeat.hpp"
#include "core/sample_gate.hpp"
#include "net/allow_list.hpp"
#include "net/client_tracker.hpp"
#include "net/reply_byte_budget.hpp"
#include "net/reply_rate_limiter.hpp"
#include "net/request_label.hpp"
#include "net/socket.hpp"
#include "net/transport_limits.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

struct msghdr;

namespace meteremu {

struct DatagramReply {
    std::string_view bytes;
    /// What clients poll to work (a battery's meter reading): paid from the reserve of the
    /// reply budget of all senders, so a flood of other requests cannot crowd it out.
    bool priority = false;
    /// The reading the reply carries (MeterStamp::sample); 0: none. Only a reply with a
    /// sample passes the server's sample gate.
    std::uint64_t sample = 0;
};

/// What a handler makes of one datagram.
struct DatagramAnswer {
    std::optional<DatagramReply> reply; ///< nullopt: stay silent
    /// What was asked and, when silent, why (net/request_label.hpp); the server tells what
    /// became of a reply.
    RequestLabel label{};
};

class DatagramHandler {
public:
    virtual ~DatagramHandler() = default;
    /// One datagram in; the reply datagram, or none to stay silent. The reply's bytes are
    /// the handler's and stay valid until the next call. Runs on a UDP thread, one call at a
    /// time; must not block on the network.
    virtual DatagramAnswer Handle(std::string_view datagram) noexcept = 0;
    /// What the handler learnt of its clients, for the status page: a JSON object of the
    /// protocol's own fields, or "" for nothing. Called from another thread than Handle.
    virtual std::string StatusJson(SteadyTime /*now*/) const { return {}; }
};

/// Counters for tests and status lines.
struct UdpCounters {
    std::uint64_t received = 0;
    std::uint64_t replied = 0;
    std::uint64_t dropped = 0;     ///< too long, or the reply could not be sent
    std::uint64_t refused = 0;     ///< from a client the allow list does not allow
    std::uint64_t throttled = 0;   ///< past the sender's reply budget
    std::uint64_t over_budget = 0; ///< past the reply budget of all senders together
    std::uint64_t held = 0;        ///< polls the sample gate held for a new sample
    std::uint64_t unanswered = 0;  ///< polls the gate dropped, or held polls given up
};

class UdpServer {
public:
    /// Serves on already bound datagram sockets (bound by us, or passed in by systemd) and
    /// takes ownership of them; starts one thread per socket. Each sender is reported to
    /// `clients` when given; datagrams from senders `filter` does not allow are dropped.
    /// Throws std::system_error.
    /// With `gate`, replies that carry a sample pass it (see above); the gate outlives the server.
    UdpServer(std::vector<UniqueFd> sockets, DatagramHandler& handler, const UdpLimits& limits = {},
              ClientTracker* clients = nullptr, const ClientFilter* filter = nullptr,
              SampleGate* gate = nullptr);
    /// Stops and joins the threads, then closes the sockets.
    ~UdpServer();

    UdpServer(const UdpServer&) = delete;
    UdpServer& operator=(const UdpServer&) = delete;

    /// "0.0.0.0:1010", "[::]:2220": one per socket, for log lines.
    const std::vector<std::string>& Addresses() const noexcept { return addresses_; }
    std::vector<std::uint16_t> Ports() const;

    UdpCounters Counters() const noexcept;

    /// A new reading was published: the threads that hold polls ask the handler again. Returns
    /// at once (an eventfd write per socket); thread-safe, for MeterState's subscription.
    void SampleArrived() noexcept;

    /// Polls held at most per socket; past it the oldest is given up (never answered).
    static constexpr std::size_t kMaxHeld = 64;

    /// One per socket, with its address: each ticks at least every kHeartbeatPeriod while its
    /// thread runs (for the watchdog, which must see a hung thread even while the other ticks).
    std::vector<std::pair<std::string, const Heartbeat*>> LoopHeartbeats() const;

private:
    struct Batch;
    struct Listener;
    struct HeldPoll;
    struct Destination;

    void Run(Listener& listener, std::stop_token stop) noexcept;
    void Answer(Listener& listener, msghdr& request, std::size_t size) noexcept;
    /// Whether the gate lets `reply` go out now; a held poll is kept in `listener`.
    bool PassGate(Listener& listener, const DatagramAnswer& answer, const Destination& to,
                  std::string_view request, SteadyTime now) noexcept;
    void Hold(Listener& listener, const Destination& to, std::string_view request,
              RequestLabel label, SteadyTime deadline) noexcept;
    /// Waits for a datagram, a wake or the first held poll's deadline; true: a datagram waits.
    bool AwaitWithHeldPolls(Listener& listener) noexcept;
    /// Asks the handler again for every held poll; sends what the gate lets go.
    void ServeHeld(Listener& listener) noexcept;
    bool StillHeld(Listener& listener, HeldPoll& poll, SteadyTime now) noexcept;
    void Send(const Listener& listener, const Destination& to, const DatagramAnswer& answer,
              SteadyTime now) noexcept;
    /// Whether the datagram from `sender` gets an answer at all; counts why not.
    bool Admit(const Listener& listener, const sockaddr_storage& sender,
               const std::optional<IpAddress>& ip, bool too_long, SteadyTime now) noexcept;
    /// Reports `sender` and what its datagram got to the client tracker.
    void NoteClient(const Listener& listener, const sockaddr_storage& sender, SteadyTime now,
                    RequestLabel label) noexcept;

    std::vector<std::string> addresses_;
    DatagramHandler& handler_;
    UdpLimits limits_;
    ClientTracker* clients_;
    const ClientFilter* filter_;
    SampleGate* gate_;
    /// The handler and both budgets serve one datagram at a time; the threads of two ports
    /// rarely meet here (a battery polls one).
    std::mutex answer_mutex_;
    ReplyRateLimiter rate_limiter_;
    ReplyByteBudget byte_budget_; ///< one for every socket
    std::atomic<std::uint64_t> received_{0}, replied_{0}, dropped_{0}, refused_{0}, throttled_{0},
        over_budget_{0}, held_{0}, unanswered_{0};
    std::vector<std::unique_ptr<Listener>> listeners_; ///< last: its threads use the above
};

} // namespace meteremu
