// SPDX-License-Identifier: MIT
#include "net/http_server.hpp"

#include "platform/log.hpp"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <unistd.h>

namespace meteremu {
namespace {

constexpr log::Domain kDomain{"http"};

/// A POST body being received.
struct PendingBody {
    std::string data;
    bool too_large = false;
    bool held = false; ///< the sample gate held it once: answered again on resume
};

/// Request state of a GET or HEAD: nothing to collect. Answering on the first call instead
/// would make libmicrohttpd close the connection after the reply (no keep-alive).
char no_body_marker;
/// Request state of a GET or HEAD the sample gate held: answered again on resume.
char held_get_marker;
/// First request states, set before libmicrohttpd parses the query: it is refused.
char uri_too_long_marker;
char too_many_arguments_marker;

constexpr HttpRefusal kUriTooLong{414, "Request URI too long"};
constexpr HttpRefusal kTooManyArguments{414, "Too many query arguments"};
constexpr HttpRefusal kHeaderTooLarge{431, "Request header too large"};
constexpr HttpRefusal kBodyTooLarge{413, "Request body too large"};
/// The sample gate's drop: the client had the newest reading and may ask again in a moment.
constexpr HttpRefusal kNoNewSample{503, "No new reading since this client's last request"};

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

MHD_Result AddSize(void* total, MHD_ValueKind, const char* key, const char* value) noexcept {
    *static_cast<std::size_t*>(total) +=
        std::strlen(key) + (value ? std::strlen(value) : 0) + 4; // ": " and CRLF, or "&" "="
    return MHD_YES;
}

/// The request line and headers as received, give or take the encoding of the query.
std::size_t HeaderBytes(MHD_Connection* connection, const char* url, const char* method) {
    std::size_t total = std::strlen(method) + std::strlen(url) + sizeof " HTTP/1.1\r\n";
    MHD_get_connection_values(connection, MHD_HEADER_KIND, &AddSize, &total);
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, &AddSize, &total);
    return total;
}

/// The address a specific listening socket is bound to; nullopt for a wildcard.
std::optional<IpAddress> SpecificAddress(const SocketAddress& local) {
    auto address = IpAddress::Of(local.Get());
    if (!address || *address == IpAddress{} || *address == *IpAddress::Parse("0.0.0.0"))
        return std::nullopt;
    return address;
}

/// libmicrohttpd's own cap on connections: ours, plus a few for the host's own (the watchdog
/// probe), which the gate lets in beyond max_connections.
constexpr std::size_t kOwnHostConnections = 8;

/// libmicrohttpd's memory per connection holds the request line and headers, with room for
/// its own bookkeeping: a request just over max_header_bytes still reaches our check. It also
/// holds a record (64 bytes) per header and query argument, and all of it is touched: a
/// connection costs this much resident memory. The arguments are capped (OnUri); a request
/// with hundreds of tiny headers runs it out, and libmicrohttpd answers 431 itself.
std::size_t ConnectionMemory(const HttpLimits& limits) {
    return 2 * limits.max_header_bytes + 8 * 1024;
}

unsigned ConnectionLimit(const HttpLimits& limits) {
    return static_cast<unsigned>(limits.max_connections + limits.max_upgraded +
                                 kOwnHostConnections);
}

unsigned TimeoutSeconds(std::chrono::milliseconds timeout) {
    return static_cast<unsigned>(
        std::max<std::int64_t>(1, std::chrono::ceil<std::chrono::seconds>(timeout).count()));
}

ConnectionGate::Entry* EntryOf(MHD_Connection* connection) {
    const MHD_ConnectionInfo* info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? static_cast<ConnectionGate::Entry*>(info->socket_context) : nullptr;
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

/// The client's address as the sample gate knows it; 0 without one.
ClientKey ClientOf(MHD_Connection* connection) noexcept {
    const MHD_ConnectionInfo* info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    auto ip = info ? IpAddress::Of(info->client_addr) : std::nullopt;
    return ip ? ClientKeyOf(GateTransport::Http, ip->bytes.data(), ip->bytes.size()) : 0;
}

} // namespace

unsigned HttpThreadsForCores() noexcept {
    return std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
}

HttpResponse HttpHandler::Refuse(const HttpRefusal& refusal) const {
    return {refusal.status, std::string(refusal.reason), "text/plain", {}};
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
                       ClientTracker* clients, const ClientFilter* filter, SampleGate* gate)
    : handler_(handler), sample_gate_(gate),
      holds_(gate ? std::make_unique<HeldConnections>(kMaxHeld) : nullptr), limits_(limits),
      clients_(clients), port_(LocalPort(listen_socket.Get())),
      address_(LocalAddressText(listen_socket.Get())),
      local_address_(meteremu::LocalAddress(listen_socket.Get())),
      gate_({limits.max_connections, limits.max_connections_per_address, limits.idle_timeout},
            filter, SpecificAddress(local_address_)) {
    if (limits_.threads == 0) limits_.threads = HttpThreadsForCores();
    // MHD_USE_ITC: wake the thread through a pipe, never shutdown() the listening socket, which
    // may belong to systemd (socket activation) and must stay usable after we exit.
    // MHD_USE_POLL, not MHD_USE_EPOLL: libmicrohttpd 0.9.75's epoll loop (Debian 12) stops
    // serving when a few hundred kept-alive connections send at once, and stays stuck until
    // their timeout (bench/ found it; tests/unit/net/http_server_test.cpp holds it); poll()
    // over at most max_connections descriptors costs nothing measurable.
    // MHD_ALLOW_SUSPEND_RESUME: the sample gate holds a request by suspending its connection.
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC |
                     MHD_USE_SUPPRESS_DATE_NO_CLOCK | MHD_USE_ERROR_LOG | MHD_ALLOW_UPGRADE;
    if (gate) flags |= MHD_ALLOW_SUSPEND_RESUME;
    auto connection_limit = ConnectionLimit(limits_);
    daemon_.reset(MHD_start_daemon(
        flags, 0, &HttpServer::OnAccept, this, &HttpServer::OnRequest, this,
        MHD_OPTION_LISTEN_SOCKET, listen_socket.Get(), MHD_OPTION_NOTIFY_COMPLETED,
        &HttpServer::OnCompleted, this, MHD_OPTION_URI_LOG_CALLBACK, &HttpServer::OnUri, this,
        MHD_OPTION_NOTIFY_CONNECTION, &HttpServer::OnConnection, this, MHD_OPTION_CONNECTION_LIMIT,
        connection_limit, MHD_OPTION_CONNECTION_TIMEOUT, TimeoutSeconds(limits_.idle_timeout),
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, ConnectionMemory(limits_), MHD_OPTION_THREAD_POOL_SIZE,
        limits_.threads > 1 ? limits_.threads : 0u, MHD_OPTION_EXTERNAL_LOGGER, &OnMhdLog, nullptr,
        MHD_OPTION_END));
    if (!daemon_) throw std::runtime_error("cannot start the HTTP server on " + address_);
    listen_socket.Release(); // MHD closes it when it stops
}

HttpServer::~HttpServer() {
    if (holds_) holds_->Stop(); // before libmicrohttpd stops, which must find none suspended
    if (!daemon_) return;
    MHD_socket listening = MHD_quiesce_daemon(daemon_.get());
    daemon_.reset();
    if (listening != MHD_INVALID_SOCKET) close(listening);
}

void HttpServer::SampleArrived() noexcept {
    if (holds_) holds_->SampleArrived();
}

std::size_t HttpServer::HeldRequests() const noexcept {
    return holds_ ? holds_->Count() : 0;
}

std::string HttpServer::Describe() const {
    return std::to_string(limits_.threads) + (limits_.threads == 1 ? " thread, " : " threads, ") +
           std::to_string(ConnectionLimit(limits_)) + " connections, " +
           std::to_string(ConnectionMemory(limits_)) + " bytes each, " +
           std::to_string(TimeoutSeconds(limits_.idle_timeout)) + " s timeout";
}

MHD_Result HttpServer::OnRequest(void* self, MHD_Connection* connection, const char* url,
                                 const char* method, const char*, const char* upload_data,
                                 size_t* upload_data_size, void** request_state) noexcept try {
    auto& server = *static_cast<HttpServer*>(self);
    if (*request_state == &uri_too_long_marker) return server.Refuse(connection, kUriTooLong, true);
    if (*request_state == &too_many_arguments_marker)
        return server.Refuse(connection, kTooManyArguments, true);
    if (!*request_state) {
        if (HeaderBytes(connection, url, method) > server.limits_.max_header_bytes)
            return server.Refuse(connection, kHeaderTooLarge, true);
        *request_state = MayCarryBody(method) ? static_cast<void*>(new PendingBody)
                                              : static_cast<void*>(&no_body_marker);
        return MHD_YES;
    }
    if (*request_state == &no_body_marker || *request_state == &held_get_marker) {
        // A body on a GET or HEAD means nothing: it is read and dropped, and the request is
        // answered when it has all arrived, so the connection and requests pipelined behind
        // it carry on.
        if (*upload_data_size > 0) {
            *upload_data_size = 0;
            return MHD_YES;
        }
        bool held = *request_state == &held_get_marker;
        *request_state = &held_get_marker; // if the gate holds it, it comes back as held
        return server.RespondToGet(connection, url, method, held);
    }
    auto* pending = static_cast<PendingBody*>(*request_state);
    if (*upload_data_size > 0) {
        if (pending->data.size() + *upload_data_size > server.limits_.max_body_bytes)
            pending->too_large = true;
        else
            pending->data.append(upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (pending->too_large) return server.Refuse(connection, kBodyTooLarge, false);
    bool held = std::exchange(pending->held, true); // if the gate holds it, it comes back held
    return server.Respond(connection, url, method, pending->data, held);
} catch (...) {
    return MHD_NO; // drops the connection; nothing sensible can be sent
}

/// Runs before libmicrohttpd parses the query, which it would store argument by argument in
/// the connection's memory, and when that runs out (a few hundred arguments) close the
/// connection without an answer. `uri` is the request target as received, in that memory and
/// writable: a query that is refused is cut at its start, so nothing of it is stored, and the
/// request is refused when it reaches OnRequest.
void* HttpServer::OnUri(void* self, const char* uri, MHD_Connection*) noexcept {
    const auto& limits = static_cast<HttpServer*>(self)->limits_;
    std::string_view target(uri);
    auto query = target.find('?');
    void* refused = nullptr;
    if (target.size() > limits.max_header_bytes)
        refused = &uri_too_long_marker;
    else if (query != std::string_view::npos &&
             static_cast<std::size_t>(std::count(target.begin() + static_cast<long>(query),
                                                 target.end(), '&')) >= kMaxQueryArguments)
        refused = &too_many_arguments_marker;
    if (refused && query != std::string_view::npos) const_cast<char*>(uri)[query + 1] = '\0';
    return refused;
}

void HttpServer::OnCompleted(void* self, MHD_Connection* connection, void** request_state,
                             MHD_RequestTerminationCode) noexcept {
    if (*request_state != &no_body_marker && *request_state != &held_get_marker &&
        *request_state != &uri_too_long_marker && *request_state != &too_many_arguments_marker)
        delete static_cast<PendingBody*>(*request_state);
    *request_state = nullptr;
    static_cast<HttpServer*>(self)->gate_.AwaitRequest(EntryOf(connection));
}

void HttpServer::OnConnection(void* self, MHD_Connection* connection, void** socket_state,
                              MHD_ConnectionNotificationCode code) noexcept {
    ConnectionGate& gate = static_cast<HttpServer*>(self)->gate_;
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        gate.Closed(static_cast<ConnectionGate::Entry*>(*socket_state));
        *socket_state = nullptr;
        return;
    }
    const MHD_ConnectionInfo* peer =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const MHD_ConnectionInfo* fd =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    *socket_state = gate.Opened(peer ? peer->client_addr : nullptr, fd ? fd->connect_fd : -1);
}

/// A GET or HEAD: from the cache when the handler's epoch has not moved since the same
/// request was answered with a reusable response, else answered and perhaps kept. The epoch
/// is read before the handler runs, so a reading published meanwhile makes the kept response
/// look older than it is (one extra answer later), never newer.
MHD_Result HttpServer::RespondToGet(MHD_Connection* connection, const char* url, const char* method,
                                    bool held) {
    std::shared_ptr<HttpHandler> handler = handler_.Current(); // one answers the whole request
    Asked asked{connection, *handler, url, held};
    ReplyEpoch epoch = handler->Epoch();
    HttpReplyKey key(connection, method, url);
    if (!held) gate_.RequestArrived(EntryOf(connection));
    if (!epoch.Valid() || !key.Fits())
        return Respond(asked, Answer(*handler, connection, url, method, {}));
    auto pass = [&](std::uint64_t sample, RequestLabel label) {
        std::optional<MHD_Result> stopped = Gate(asked, sample, label.method);
        if (!stopped) NoteClient(asked, label);
        return stopped;
    };
    if (auto queued = cache_.Queue(connection, key.View(), epoch, pass)) return *queued;
    HttpResponse reply = Answer(*handler, connection, url, method, {});
    if (!reply.reusable || reply.upgrade) return Respond(asked, reply);
    MhdResponsePtr response = BuildResponse(reply);
    if (!response) return MHD_NO;
    std::optional<MHD_Result> stopped = pass(reply.sample, reply.label);
    MHD_Result queued =
        stopped ? *stopped : MHD_queue_response(connection, reply.status, response.get());
    cache_.Store(key.View(), epoch, {reply.status, reply.sample, reply.label}, std::move(response));
    return queued;
}

std::optional<MHD_Result> HttpServer::Gate(const Asked& asked, std::uint64_t sample,
                                           MethodId method) {
    if (!sample_gate_ || !sample) return std::nullopt;
    ClientKey client = ClientOf(asked.connection);
    auto now = std::chrono::steady_clock::now();
    GateDecision decision = asked.held ? sample_gate_->Recheck(client, sample, now)
                                       : sample_gate_->Admit(client, sample, now);
    if (decision.Answered()) return std::nullopt;
    if (decision.verdict == GateVerdict::Hold) {
        if (holds_->Hold(asked.connection, decision.deadline)) return MHD_YES;
        if (holds_->Stopping()) return std::nullopt; // answered: nobody would resume it
        // Full: the drop's answer.
    }
    NoteClient(asked, {method, RequestOutcome::NoNewSample});
    HttpResponse refusal = handler_.Current()->Refuse(kNoNewSample);
    refusal.headers.emplace_back("Retry-After", "1");
    return Queue(asked.connection, refusal);
}

MHD_Result HttpServer::Respond(const Asked& asked, const HttpResponse& reply) {
    if (auto stopped = Gate(asked, reply.sample, reply.label.method)) return *stopped;
    NoteClient(asked, reply.label);
    return Queue(asked.connection, reply);
}

/// An error for a request that is not answered further.
MHD_Result HttpServer::Refuse(MHD_Connection* connection, const HttpRefusal& refusal, bool close) {
    gate_.RequestArrived(EntryOf(connection));
    NoteClient(connection, {kUnreadMethod, RequestOutcome::Failed});
    HttpResponse reply = handler_.Current()->Refuse(refusal);
    if (close) reply.headers.emplace_back("Connection", "close");
    return Queue(connection, reply);
}

MHD_Result HttpServer::Respond(MHD_Connection* connection, const char* url, const char* method,
                               std::string_view body, bool held) {
    std::shared_ptr<HttpHandler> handler = handler_.Current();
    if (!held) gate_.RequestArrived(EntryOf(connection));
    return Respond({connection, *handler, url, held},
                   Answer(*handler, connection, url, method, body));
}

HttpResponse HttpServer::Answer(HttpHandler& handler, MHD_Connection* connection, const char* url,
                                const char* method, std::string_view body) {
    HttpRequest request{method, url, {}, body, connection};
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, &CollectQuery, &request.query);
    HttpResponse reply = handler.Handle(request);
    if (reply.upgrade && reply.status == MHD_HTTP_SWITCHING_PROTOCOLS)
        gate_.Upgraded(EntryOf(connection));
    return reply;
}

} // namespace meteremu
