// SPDX-License-Identifier: MIT
// A deliberately low-level WebSocket client for tests: it writes frames byte by byte as the
// test says (fragmented, unmasked, oversized, interleaved with pings) and reads the server's
// frames raw, so the server's handling of each RFC 6455 rule can be checked.
#pragma once

#include "net/socket.hpp"
#include "net/websocket_protocol.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace meteremu::test {

/// A client frame: masked with a fixed key unless `masked` is false; `first_byte_extra` sets
/// reserved bits.
std::string ClientFrame(websocket::Opcode opcode, std::string_view payload, bool fin = true,
                        bool masked = true, std::uint8_t first_byte_extra = 0);

struct ServerFrame {
    bool fin = false;
    websocket::Opcode opcode{};
    std::string payload;
    bool masked = false;

    /// The code of a close frame (kNoStatus when it has none).
    std::uint16_t CloseCode() const;
};

class WebSocketClient {
public:
    /// Connects to 127.0.0.1:`port` (from `source`, when given) and performs the opening
    /// handshake on `path`; throws std::runtime_error when the server does not answer 101
    /// with the right accept key.
    WebSocketClient(std::uint16_t port, const std::string& path = "/rpc",
                    const std::string& source = "");

    /// The server's handshake response (status line and headers).
    const std::string& Handshake() const noexcept { return handshake_; }

    void SendRaw(const std::string& bytes);
    void SendText(const std::string& text) { SendRaw(ClientFrame(websocket::Opcode::Text, text)); }

    /// The next frame, or nullopt after `timeout` or when the server closed the connection.
    std::optional<ServerFrame> Read(std::chrono::milliseconds timeout);

    /// The next text frame's payload, skipping nothing; nullopt when something else came.
    std::optional<std::string> ReadText(std::chrono::milliseconds timeout);

    /// True when the server closed the TCP connection within `timeout`.
    bool ClosedByServer(std::chrono::milliseconds timeout);

private:
    bool Fill(std::chrono::steady_clock::time_point deadline);

    UniqueFd fd_;
    std::string handshake_;
    std::string buffer_;
    bool eof_ = false;
};

/// An HTTP request's raw bytes sent to 127.0.0.1:`port`, and everything the server answered
/// until it closed or `timeout` passed.
std::string RawHttpExchange(std::uint16_t port, const std::string& request,
                            std::chrono::milliseconds timeout);

} // namespace meteremu::test
