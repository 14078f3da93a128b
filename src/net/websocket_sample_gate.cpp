// SPDX-License-Identifier: MIT
// The WebSocket server's sample gate (net/websocket_server.hpp): answers that carry a sample
// go out as the gate decides; a held message waits with its connection.
#include "net/websocket_connection.hpp"
#include "net/websocket_server.hpp"

#include <utility>

namespace meteremu {

/// A client that asks again while held is answered once, to its newest message.
void WebSocketServer::Answer(Connection& connection, const WebSocketAnswer& answer,
                             std::string_view text, bool recheck) {
    if (gate_ && answer.sample) {
        auto ip = IpAddress::Of(reinterpret_cast<const sockaddr*>(&connection.peer));
        ClientKey client =
            ip ? ClientKeyOf(GateTransport::WebSocket, ip->bytes.data(), ip->bytes.size()) : 0;
        auto now = Clock::now();
        GateDecision decision = recheck ? gate_->Recheck(client, answer.sample, now)
                                        : gate_->Admit(client, answer.sample, now);
        if (decision.verdict == GateVerdict::Hold) {
            connection.held = std::string(text);
            connection.held_deadline = decision.deadline;
            return;
        }
        if (!recheck) connection.held.reset(); // the newest message replaces a held one
        if (!decision.Answered()) {
            NoteClient(connection, {answer.label.method, RequestOutcome::NoNewSample});
            return;
        }
    }
    NoteClient(connection, answer.label);
    Send(connection, websocket::EncodeFrame(websocket::Opcode::Text, answer.text));
}

void WebSocketServer::ServeHeld(Clock::time_point now, bool all) {
    for (auto& [id, connection] : connections_) {
        if (!connection->held || connection->closing || connection->dead) continue;
        if (!all && now < connection->held_deadline) continue;
        std::string text = std::move(*connection->held);
        connection->held.reset();
        if (auto answer = connection->session->OnMessage(text))
            Answer(*connection, *answer, text, true);
        else
            NoteClient(*connection, {kOtherMethod, RequestOutcome::Failed});
    }
}

} // namespace meteremu
