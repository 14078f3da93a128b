// SPDX-License-Identifier: MIT
// The HTTP server's notes to the client tracker (net/client_tracker.hpp): who asked, what, and
// what came of it, for the status page and /metrics.
#include "net/http_server.hpp"

#include <chrono>

namespace meteremu {

/// A connection refused is noted as one request of its client, refused (allow) or rate
/// limited (the limits on connections), with no method: none was read.
MHD_Result HttpServer::OnAccept(void* self, const sockaddr* peer, socklen_t) noexcept {
    auto& server = *static_cast<HttpServer*>(self);
    ConnectionGate::Admission admission = server.gate_.Admit(peer);
    if (admission == ConnectionGate::Admission::Admitted) return MHD_YES;
    if (server.clients_)
        server.clients_->Seen(peer, std::chrono::steady_clock::now(),
                              {ClientTransport::Http, server.port_},
                              {kUnreadMethod, admission == ConnectionGate::Admission::NotAllowed
                                                  ? RequestOutcome::Refused
                                                  : RequestOutcome::RateLimited});
    return MHD_NO;
}

void HttpServer::NoteClient(const Asked& asked, RequestLabel label) noexcept {
    if (clients_ && asked.handler.IsClientPoll(asked.url)) NoteClient(asked.connection, label);
}

void HttpServer::NoteClient(MHD_Connection* connection, RequestLabel label) noexcept {
    if (!clients_) return;
    const char* agent =
        MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_USER_AGENT);
    if (agent && agent == kLivenessProbeAgent) return;
    const MHD_ConnectionInfo* info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info)
        clients_->Seen(info->client_addr, std::chrono::steady_clock::now(),
                       {ClientTransport::Http, port_}, label);
}

} // namespace meteremu
