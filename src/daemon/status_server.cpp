// SPDX-License-Identifier: MIT
#include "daemon/status_server.hpp"

#include "daemon/frontend_slot.hpp"
#include "net/socket.hpp"

namespace meteremu {
namespace {

HttpLimits StatusLimits() {
    HttpLimits limits;
    limits.threads = 1; // a person or a Prometheus once a second or so
    return limits;
}

} // namespace

StatusServer::StatusServer(const ListenSettings& listen, const AllowList& allow,
                           const StatusPage& page)
    : listen_(listen), filter_(allow), routes_(MakeNotFoundHandler(), page, true),
      http_(std::make_unique<HttpServer>(
          BindSocket(SocketKind::Stream, listen.address, listen.http_port), routes_, StatusLimits(),
          nullptr, &filter_)) {}

} // namespace meteremu
