// SPDX-License-Identifier: MIT
// WebSocket (RFC 6455) connections taken over from the HTTP server after the upgrade, served
// on one thread of their own with epoll. The protocol spoken in the text messages belongs to
// a WebSocketApp (JSON-RPC for Shelly); the server frames, answers pings, runs the closing
// handshake, enforces the limits, and pushes to every client when asked. Push() only wakes
// the thread, so a backend publishing a reading never waits on a client.
//
// With a sample gate (core/sample_gate.hpp), an answer that carries a sample goes out only as
// the gate decides for the client's address: at once, never (drop), or later (hold): the
// connection keeps its newest held message and asks the session again on the next push (a
// new reading) or at the deadline.
#pragma once

#include "core/heartbeat.hpp"
#include "core/sample_gate.hpp"
#include "net/allow_list.hpp"
#include "net/client_tracker.hpp"
#include "net/http_server.hpp"
#include "net/request_label.hpp"
#include "net/socket.hpp"
#include "net/transport_limits.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace meteremu {

/// What a session answers a message with.
struct WebSocketAnswer {
    std::string text;
    /// The reading it carries (MeterStamp::sample); 0: none. Only an answer with a sample
    /// passes the server's sample gate.
    std::uint64_t sample = 0;
    /// What was asked and what came of it, for the client tracker (net/request_label.hpp).
    RequestLabel label{};
};

/// One client's conversation. All calls come from the server's thread.
class WebSocketSession {
public:
    virtual ~WebSocketSession() = default;
    /// A whole text message from the client; returns the message to answer with, if any. A
    /// message the sample gate held is passed again later.
    virtual std::optional<WebSocketAnswer> OnMessage(std::string_view text) noexcept = 0;
    /// A push is due; returns the message to send this client, if any.
    virtual std::optional<std::string> OnPush() noexcept { return std::nullopt; }
};

class WebSocketApp {
public:
    virtual ~WebSocketApp() = default;
    /// A new client connected. May throw: the client is then disconnected.
    virtual std::unique_ptr<WebSocketSession> Open() = 0;
    /// Once per push, on the server's thread, before the sessions' OnPush.
    virtual void PreparePush() noexcept {}
};

class WebSocketServer final : public HttpUpgradeHandler {
public:
    /// Starts the thread. Clients are reported to `clients` when given, on every message and
    /// ping (a Home Assistant connection lasts days). A client `filter` refuses is closed with
    /// 1008 (policy violation). Throws std::system_error.
    /// With `gate`, answers that carry a sample pass it (see above); it outlives the server.
    explicit WebSocketServer(WebSocketApp& app, const WebSocketLimits& limits = {},
                             ClientTracker* clients = nullptr, const ClientFilter* filter = nullptr,
                             SampleGate* gate = nullptr);
    /// Stop(), then joins.
    ~WebSocketServer() override;

    WebSocketServer(const WebSocketServer&) = delete;
    WebSocketServer& operator=(const WebSocketServer&) = delete;

    void Adopt(UpgradedSocket socket) noexcept override;

    /// Asks for a push to every client; returns at once. Thread-safe.
    void Push() noexcept;

    /// Asks to close (1008) every client the filter no longer allows, after its list was
    /// replaced; returns at once. Thread-safe.
    void EnforceFilter() noexcept;

    /// Closes every connection (close 1001, a short wait for the clients' close frames) and
    /// refuses new ones; returns when done. Call it before the HTTP server stops, as the
    /// sockets close through it. Idempotent.
    void Stop() noexcept;

    std::size_t Clients() const noexcept { return connected_.load(); }

    const WebSocketLimits& Limits() const noexcept { return limits_; }

    /// Ticks at least every kHeartbeatPeriod while the thread runs (for the watchdog).
    const Heartbeat& LoopHeartbeat() const noexcept { return heartbeat_; }

private:
    struct Connection;
    using Clock = std::chrono::steady_clock;

    void Run(std::stop_token stop) noexcept;
    void Wake() noexcept;
    void TakeAdopted();
    void Open(UpgradedSocket socket);
    void Read(Connection& connection);
    void Consume(Connection& connection, std::string_view bytes);
    void HandleEvents(Connection& connection);
    void Send(Connection& connection, const std::string& bytes);
    void Flush(Connection& connection);
    void HalfClose(Connection& connection);
    void StartClose(Connection& connection, std::uint16_t code, std::string_view reason);
    void PushAll();
    /// Sends `answer` to `text` if the gate lets it go now; keeps `text` if the gate holds it.
    void Answer(Connection& connection, const WebSocketAnswer& answer, std::string_view text,
                bool recheck);
    /// Asks again for the held messages: every one (`all`, a new reading) or those due.
    void ServeHeld(Clock::time_point now, bool all);
    /// Reports the connection's client and what its message got to the client tracker.
    void NoteClient(const Connection& connection, RequestLabel label) noexcept;
    void CloseAll(std::uint16_t code);
    bool Allowed(const Connection& connection) const noexcept;
    void CloseRefused();
    void Expire(Clock::time_point now);
    int WaitMs(Clock::time_point now, std::optional<Clock::time_point> stop_deadline) const;
    void Watch(Connection& connection, bool writable);
    void Drop(std::uint64_t id);

    WebSocketApp& app_;
    WebSocketLimits limits_;
    ClientTracker* clients_;
    const ClientFilter* filter_;
    SampleGate* gate_;
    Heartbeat heartbeat_;
    UniqueFd epoll_;
    UniqueFd wake_; ///< eventfd: new sockets, a push, or stop

    std::mutex mutex_; ///< guards adopted_ and stopping_
    std::vector<UpgradedSocket> adopted_;
    bool stopping_ = false;
    std::atomic<bool> push_due_{false};
    std::atomic<bool> filter_changed_{false};
    std::atomic<std::size_t> connected_{0};

    // The server thread's own.
    std::map<std::uint64_t, std::unique_ptr<Connection>> connections_;
    std::uint64_t next_id_ = 1;
    std::vector<std::uint64_t> to_drop_;

    std::jthread thread_;
};

/// The 101 response that upgrades `request` to a WebSocket served by `upgrade`, or the refusal
/// (400, 405, 426) as `refuser` renders it when the request is not a valid RFC 6455 opening
/// handshake.
HttpResponse WebSocketHandshake(const HttpRequest& request, HttpUpgradeHandler& upgrade,
                                const HttpHandler& refuser);

/// Whether the request asks for a WebSocket ("Upgrade: websocket").
bool IsWebSocketUpgrade(const HttpRequest& request);

} // namespace meteremu
