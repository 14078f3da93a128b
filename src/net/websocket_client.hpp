// SPDX-License-Identifier: MIT
// A WebSocket client (RFC 6455) over plain TCP, for a backend whose source pushes its data
// (Home Assistant): the opening handshake with its accept-key check, masked frames out, the
// server's frames in through the same MessageReader the server uses (net/websocket_protocol),
// pings answered. Blocking with bounded waits, one thread; it knows no protocol above frames.
// No TLS: wss:// is not spoken (no TLS library but libcurl's is linked, and Debian 12's
// libcurl has no WebSocket support).
#pragma once

#include "core/clock.hpp"
#include "net/websocket_protocol.hpp"
#include "util/unique_fd.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>

namespace meteremu {

struct WebSocketUrl {
    std::string host; ///< a name or an address, without brackets
    std::uint16_t port = 80;
    std::string path = "/"; ///< with the query, if any
};

/// "ws://host[:port][/path]" (host a name, an IPv4 address or "[v6]"); nullopt otherwise.
std::optional<WebSocketUrl> ParseWebSocketUrl(std::string_view url);

class WebSocketClientError : public std::runtime_error {
public:
    enum class Kind {
        Resolve,   ///< the host name does not resolve
        Refused,   ///< nothing listens, or the host is unreachable
        Timeout,   ///< no connection or no handshake answer in time
        Handshake, ///< the server answered, but not with a valid 101 (`Status()` says what)
        Closed,    ///< the connection closed (by the server, or broken)
        Protocol,  ///< the server broke RFC 6455
        Cancelled, ///< stop was requested
    };
    WebSocketClientError(Kind kind, const std::string& message, long status = 0)
        : std::runtime_error(message), kind_(kind), status_(status) {}
    Kind GetKind() const noexcept { return kind_; }
    /// The HTTP status of a refused handshake (401, 404…), else 0.
    long Status() const noexcept { return status_; }

private:
    Kind kind_;
    long status_;
};

struct WebSocketClientOptions {
    /// For the connection and the handshake together, and for each blocking send.
    Seconds timeout{5.0};
    std::size_t max_message_bytes = 1024 * 1024;
};

class WebSocketClient {
public:
    /// Connects and performs the opening handshake on `url`. Throws WebSocketClientError (its
    /// message names the host and port, never a credential).
    WebSocketClient(const WebSocketUrl& url, WebSocketClientOptions options, std::stop_token stop);
    ~WebSocketClient() { Close(); }

    WebSocketClient(const WebSocketClient&) = delete;
    WebSocketClient& operator=(const WebSocketClient&) = delete;

    /// Sends one text message. Throws WebSocketClientError (Closed).
    void SendText(std::string_view text);

    /// The next text message, waiting at most `wait` for it; nullopt when none came in that
    /// time. Pings are answered on the way. Throws WebSocketClientError (Closed, Protocol).
    std::optional<std::string> Receive(std::chrono::milliseconds wait);

    /// Sends a close frame (best effort) and closes the socket. Idempotent.
    void Close() noexcept;

private:
    void Handshake(const WebSocketUrl& url, SteadyTime deadline, std::stop_token stop);
    void SendFrame(websocket::Opcode opcode, std::string_view payload);
    /// Reads what the socket has (waiting at most `wait`); false when nothing came.
    bool ReadSome(std::chrono::milliseconds wait);
    std::optional<std::string> Handle(websocket::Event event);

    WebSocketClientOptions options_;
    std::string peer_; ///< "host:port", for messages
    UniqueFd fd_;
    websocket::MessageReader reader_;
    std::string pending_; ///< bytes read but not yet taken by the reader
    std::mt19937 random_;
};

} // namespace meteremu
