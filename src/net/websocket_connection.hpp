// SPDX-License-Identifier: MIT
// One WebSocket client as WebSocketServer's thread keeps it; shared by the server's own
// source files only (websocket_server.cpp, websocket_sample_gate.cpp).
#pragma once

#include "net/websocket_protocol.hpp"
#include "net/websocket_server.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <sys/socket.h>

namespace meteremu {

struct WebSocketServer::Connection {
    Connection(std::uint64_t connection_id, UpgradedSocket upgraded, size_t max_message_bytes)
        : id(connection_id), socket(std::move(upgraded)), reader(max_message_bytes) {}

    std::uint64_t id;
    UpgradedSocket socket;
    sockaddr_storage peer{};
    socklen_t peer_length = 0;
    std::uint16_t local_port = 0; ///< ours, for the client tracker; 0: unknown
    websocket::MessageReader reader;
    std::unique_ptr<WebSocketSession> session;
    std::string unsent;
    bool writable_watched = false;
    bool closing = false;   ///< our close frame is out: wait for the client's
    bool finished = false;  ///< half-close once everything is sent
    bool shut_down = false; ///< our side is closed: read and discard until the client's EOF
    bool dead = false;      ///< dropped at the next safe point
    Clock::time_point close_deadline{};
    Clock::time_point last_frame = Clock::now(); ///< for the idle limit
    std::optional<std::string> held;             ///< the newest message the sample gate holds
    Clock::time_point held_deadline{};
};

} // namespace meteremu
