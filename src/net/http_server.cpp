// SPDX-License-Identifier: MIT
#include "net/http_server.hpp"

#include "platform/log.hpp"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace meteremu {
namespace {

constexpr log::Domain kDomain{"http"};

/// A POST body being received.
struct PendingBody {
    std::string data;
    bool too_large = false;
};

/// Request state of a GET or HEAD: nothing to collect. Answering on the first call instead
/// would make libmicrohttpd close the connection after the reply (no keep-alive).
char no_body_marker;

void OnMhdLog(void*, const char* format, va_list arguments) noexcept {
    char text[512];
    std::vsnprintf(text, sizeof text, format, arguments);
    log::Debug(kDomain, "libmicrohttpd: ", text);
}

MHD_Result CollectQuery(void* target, MHD_ValueKind, const char* key, const char* value) noexcept {
    auto& query = *static_cast<std::vector<std::pair<std::string_view, std::string_view>>*>(target);
    try {
        query.emplace_back(key, value ? value : "");
    } catch (...) {
        return MHD_NO;
    }
    return MHD_YES;
}

bool MayCarryBody(const char* method) {
    return std::strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
           std::strcmp(method, MHD_HTTP_METHOD_HEAD) != 0;
}

void OnUpgraded(void* handler, MHD_Connection*, void*, const char* extra_in, size_t extra_in_size,
                MHD_socket socket, MHD_UpgradeResponseHandle* handle) noexcept {
    std::string early;
    try {
        early.assign(extra_in ? extra_in : "", extra_in_size);
    } catch (...) {
        MHD_upgrade_action(handle, MHD_UPGRADE_ACTION_CLOSE);
        return;
    }
    static_cast<HttpUpgradeHandler*>(handler)->Adopt(
        UpgradedSocket(socket, handle, std::move(early)));
}

MhdResponsePtr CreateResponse(const HttpResponse& reply) {
    if (reply.upgrade && reply.status == MHD_HTTP_SWITCHING_PROTOCOLS)
        return MhdResponsePtr(MHD_create_response_for_upgrade(&OnUpgraded, reply.upgrade));
    return MhdResponsePtr(MHD_create_response_from_buffer(
        reply.body.size(), const_cast<char*>(reply.body.data()), MHD_RESPMEM_MUST_COPY));
}

/// The response with its headers, or null when libmicrohttpd has no memory for it.
MhdResponsePtr BuildResponse(const HttpResponse& reply) {
    MhdResponsePtr response = CreateResponse(reply);
    if (!response) return nullptr;
    if (!reply.content_type.empty())
        MHD_add_response_header(response.get(), MHD_HTTP_HEADER_CONTENT_TYPE,
                                std::string(reply.content_type).c_str());
    for (const auto& [name, value] : reply.headers)
        MHD_add_response_header(response.get(), std::string(name).c_str(), value.c_str());
    return response;
}

MHD_Result Queue(MHD_Connection* connection, const HttpResponse& reply) {
    MhdResponsePtr response = BuildResponse(reply);
    if (!response) return MHD_NO;
    return MHD_queue_response(connection, reply.status, response.get());
}

} // namespace

unsigned HttpThreadsForCores() noexcept {
    return std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
}

std::optional<std::string_view> HttpRequest::Header(const char* name) const {
    if (!connection) return std::nullopt;
    const char* value = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, name);
    if (!value) return std::nullopt;
    return std::string_view(value);
}

UpgradedSocket::~UpgradedSocket() {
    if (handle_) MHD_upgrade_action(handle_, MHD_UPGRADE_ACTION_CLOSE);
}

HttpServer::HttpServer(UniqueFd listen_socket, HttpHandler& handler, const HttpLimits& limits,
                       ClientTracker* clients)
    : handler_(handler), limits_(limits), clients_(clients), port_(LocalPort(listen_socket.Get())),
      address_(LocalAddressText(listen_socket.Get())),
      local_address_(meteremu::LocalAddress(listen_socket.Get())) {
    if (limits_.threads == 0) limits_.threads = HttpThreadsForCores();
    // MHD_USE_ITC: wake the thread through a pipe, never shutdown() the listening socket, which
    // may belong to systemd (socket activation) and must stay usable after we exit.
    // MHD_USE_POLL, not MHD_USE_EPOLL: libmicrohttpd 0.9.75's epoll loop (Debian 12) stops
    // serving when a few hundred kept-alive connections send at once, and stays stuck until
    // their timeout (bench/ found it; tests/integration/http_burst_test.cpp holds it); poll()
    // over at most max_connections descriptors costs nothing measurable.
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC |
                     MHD_USE_SUPPRESS_DATE_NO_CLOCK | MHD_USE_ERROR_LOG | MHD_ALLOW_UPGRADE;
    daemon_.reset(MHD_start_daemon(
        flags, 0, nullptr, nullptr, &HttpServer::OnRequest, this, MHD_OPTION_LISTEN_SOCKET,
        listen_socket.Get(), MHD_OPTION_NOTIFY_COMPLETED, &HttpServer::OnCompleted, this,
        MHD_OPTION_CONNECTION_LIMIT, limits_.max_connections, MHD_OPTION_CONNECTION_TIMEOUT,
        limits_.idle_timeout_seconds, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        limits_.connection_memory_bytes, MHD_OPTION_THREAD_POOL_SIZE,
        limits_.threads > 1 ? limits_.threads : 0u, MHD_OPTION_EXTERNAL_LOGGER, &OnMhdLog, nullptr,
        MHD_OPTION_END));
    if (!daemon_) throw std::runtime_error("cannot start the HTTP server on " + address_);
    listen_socket.Release(); // MHD closes it when it stops
}

MHD_Result HttpServer::OnRequest(void* self, MHD_Connection* connection, const char* url,
                                 const char* method, const char*, const char* upload_data,
                                 size_t* upload_data_size, void** request_state) noexcept try {
    auto& server = *static_cast<HttpServer*>(self);
    if (!*request_state) {
        *request_state = MayCarryBody(method) ? static_cast<void*>(new PendingBody)
                                              : static_cast<void*>(&no_body_marker);
        return MHD_YES;
    }
    if (*request_state == &no_body_marker) return server.RespondToGet(connection, url, method);
    auto* pending = static_cast<PendingBody*>(*request_state);
    if (*upload_data_size > 0) {
        if (pending->data.size() + *upload_data_size > server.limits_.max_body_bytes)
            pending->too_large = true;
        else
            pending->data.append(upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (pending->too_large)
        return Queue(
            connection,
            {413, "{\"code\":413,\"message\":\"Request body too large\"}", "application/json", {}});
    return server.Respond(connection, url, method, pending->data);
} catch (...) {
    return MHD_NO; // drops the connection; nothing sensible can be sent
}

void HttpServer::OnCompleted(void*, MHD_Connection*, void** request_state,
                             MHD_RequestTerminationCode) noexcept {
    if (*request_state != &no_body_marker) delete static_cast<PendingBody*>(*request_state);
    *request_state = nullptr;
}

/// A GET or HEAD: from the cache when the handler's epoch has not moved since the same
/// request was answered with a reusable response, else answered and perhaps kept. The epoch
/// is read before the handler runs, so a reading published meanwhile makes the kept response
/// look older than it is (one extra answer later), never newer.
MHD_Result HttpServer::RespondToGet(MHD_Connection* connection, const char* url,
                                    const char* method) {
    ReplyEpoch epoch = handler_.Epoch();
    if (!epoch.Valid()) return Respond(connection, url, method, {});
    HttpReplyKey key(connection, method, url);
    if (!key.Fits()) return Respond(connection, url, method, {});
    NoteClient(connection);
    if (auto queued = cache_.Queue(connection, key.View(), epoch)) return *queued;
    HttpRequest request{method, url, {}, {}, connection};
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, &CollectQuery, &request.query);
    HttpResponse reply = handler_.Handle(request);
    if (!reply.reusable || reply.upgrade) return Queue(connection, reply);
    MhdResponsePtr response = BuildResponse(reply);
    if (!response) return MHD_NO;
    MHD_Result queued = MHD_queue_response(connection, reply.status, response.get());
    cache_.Store(key.View(), epoch, reply.status, std::move(response));
    return queued;
}

MHD_Result HttpServer::Respond(MHD_Connection* connection, const char* url, const char* method,
                               std::string_view body) {
    HttpRequest request{method, url, {}, body, connection};
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, &CollectQuery, &request.query);
    NoteClient(connection);
    return Queue(connection, handler_.Handle(request));
}

void HttpServer::NoteClient(MHD_Connection* connection) noexcept {
    if (!clients_) return;
    const char* agent =
        MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_USER_AGENT);
    if (agent && agent == kLivenessProbeAgent) return;
    const MHD_ConnectionInfo* info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info) clients_->Seen(info->client_addr, std::chrono::steady_clock::now());
}

} // namespace meteremu
