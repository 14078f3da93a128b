// SPDX-License-Identifier: MIT
#include "fakes/fake_server.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <thread>

namespace meteremu::test {
namespace {

std::string Lower(std::string text) {
    for (auto& c : text)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

MHD_Result CollectHeader(void* target, MHD_ValueKind, const char* key, const char* value) {
    static_cast<FakeRequest*>(target)->headers[Lower(key)] = value ? value : "";
    return MHD_YES;
}

MHD_Result CollectCookie(void* target, MHD_ValueKind, const char* key, const char* value) {
    static_cast<FakeRequest*>(target)->cookies[key] = value ? value : "";
    return MHD_YES;
}

MHD_Result CollectArgument(void* target, MHD_ValueKind, const char* key, const char* value) {
    auto& query = static_cast<FakeRequest*>(target)->query;
    if (!query.empty()) query += '&';
    query += key;
    if (value) query += std::string("=") + value;
    return MHD_YES;
}

struct ResetBody {
    std::string body;
    size_t cut;
};

ssize_t ReadUntilCut(void* data, uint64_t position, char* buffer, size_t size) {
    auto* reset = static_cast<ResetBody*>(data);
    if (position >= reset->cut) return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t n = std::min(size, reset->cut - static_cast<size_t>(position));
    std::memcpy(buffer, reset->body.data() + position, n);
    return static_cast<ssize_t>(n);
}

void FreeResetBody(void* data) {
    delete static_cast<ResetBody*>(data);
}

MHD_Response* MakeResponse(const FakeReply& reply) {
    if (reply.mode == FakeReply::Mode::ResetMidBody) {
        auto* reset = new ResetBody{reply.body, reply.body.size() / 2};
        return MHD_create_response_from_callback(reply.body.size(), 1024, ReadUntilCut, reset,
                                                 FreeResetBody);
    }
    return MHD_create_response_from_buffer(reply.body.size(), const_cast<char*>(reply.body.data()),
                                           MHD_RESPMEM_MUST_COPY);
}

std::string UrlDecode(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            out += ' ';
        } else if (text[i] == '%' && i + 2 < text.size()) {
            out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

/// Whether the client closes its end of the connection `fd` (its FIN arrives) within
/// `timeout_ms`.
bool PeerClosed(int fd, int timeout_ms = 0) {
    pollfd peer{fd, POLLRDHUP, 0};
    return fd >= 0 && ::poll(&peer, 1, timeout_ms) > 0 &&
           (peer.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

} // namespace

std::map<std::string, std::string> ParseForm(std::string_view body) {
    std::map<std::string, std::string> fields;
    while (!body.empty()) {
        auto end = body.find('&');
        auto pair = body.substr(0, end);
        auto equals = pair.find('=');
        if (equals != std::string_view::npos)
            fields[UrlDecode(pair.substr(0, equals))] = UrlDecode(pair.substr(equals + 1));
        if (end == std::string_view::npos) break;
        body.remove_prefix(end + 1);
    }
    return fields;
}

bool FakeRequest::Wait(std::chrono::milliseconds duration,
                       const std::function<bool()>& cancel) const {
    auto deadline = std::chrono::steady_clock::now() + duration;
    while (std::chrono::steady_clock::now() < deadline) {
        if (cancel && cancel()) return false;
        if (PeerClosed(fd, 20)) return false;
        if (fd < 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

bool FakeRequest::DigestValid(const std::string& realm, const std::string& user,
                              const std::string& password,
                              MHD_DigestAuthAlgorithm algorithm) const {
    char* sent_user = MHD_digest_auth_get_username(connection);
    bool valid = sent_user && user == sent_user &&
                 MHD_digest_auth_check2(connection, realm.c_str(), user.c_str(), password.c_str(),
                                        300, algorithm) == MHD_YES;
    MHD_free(sent_user);
    return valid;
}

bool FakeRequest::BasicValid(const std::string& user, const std::string& password) const {
    char* sent_password = nullptr;
    char* sent_user = MHD_basic_auth_get_username_password(connection, &sent_password);
    bool valid = sent_user && sent_password && user == sent_user && password == sent_password;
    MHD_free(sent_user);
    MHD_free(sent_password);
    return valid;
}

FakeServer::FakeServer(Handler handler, std::uint16_t port, std::optional<TlsMaterial> tls)
    : handler_(std::move(handler)), port_(port), tls_(std::move(tls)) {
    Start();
}

FakeServer::~FakeServer() {
    Stop();
}

void FakeServer::Start() {
    std::lock_guard lock(mutex_);
    if (daemon_) return;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port_);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD;
    if (tls_) flags |= MHD_USE_TLS;
    stopping_ = false;
    daemon_.reset(MHD_start_daemon(
        flags, 0, nullptr, nullptr, &FakeServer::OnRequest, this, MHD_OPTION_SOCK_ADDR, &address,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, 1U, MHD_OPTION_NOTIFY_COMPLETED,
        &FakeServer::OnCompleted, this, MHD_OPTION_CONNECTION_TIMEOUT, 120U,
        tls_ ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END,
        tls_ ? tls_->certificate_pem.c_str() : nullptr, MHD_OPTION_HTTPS_MEM_KEY,
        tls_ ? tls_->key_pem.c_str() : nullptr, MHD_OPTION_END));
    if (!daemon_)
        throw std::runtime_error("fake server: cannot listen on 127.0.0.1:" +
                                 std::to_string(port_));
    // Only the first start learns the port: later ones listen on it again, while other
    // threads may be reading Port() (a data race found by make check-tsan).
    if (port_ == 0) port_ = MHD_get_daemon_info(daemon_.get(), MHD_DAEMON_INFO_BIND_PORT)->port;
}

void FakeServer::Stop() {
    MhdDaemonPtr daemon;
    {
        std::lock_guard lock(mutex_);
        daemon = std::move(daemon_);
    }
    if (!daemon) return;
    stopping_ = true; // releases handlers that hang, so stopping can join their threads
    daemon.reset();
    stopping_ = false;
}

bool FakeServer::Running() const {
    std::lock_guard lock(mutex_);
    return daemon_ != nullptr;
}

MHD_Result FakeServer::OnRequest(void* self, MHD_Connection* connection, const char* url,
                                 const char* method, const char*, const char* upload,
                                 size_t* upload_size, void** state) noexcept {
    auto* server = static_cast<FakeServer*>(self);
    auto* request = static_cast<FakeRequest*>(*state);
    try {
        if (!request) {
            request = new FakeRequest;
            *state = request;
            request->method = method;
            request->path = url;
            if (const auto* info =
                    MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD))
                request->fd = info->connect_fd;
            server->EnterFlight(*request);
            return MHD_YES;
        }
        if (*upload_size) {
            request->body.append(upload, *upload_size);
            *upload_size = 0;
            return MHD_YES;
        }
        return server->Respond(connection, *request);
    } catch (...) {
        return MHD_NO;
    }
}

void FakeServer::EnterFlight(const FakeRequest& request) {
    std::lock_guard lock(flight_mutex_);
    // Polled now rather than when a handler notices: under load a hung request's handler may
    // see its client's close only after that client's next request has arrived.
    int open = 1 + static_cast<int>(std::count_if(flight_.begin(), flight_.end(), [](auto* other) {
                   return !PeerClosed(other->fd);
               }));
    flight_.push_back(&request);
    in_flight_.store(static_cast<int>(flight_.size()));
    if (open > max_in_flight_.load()) max_in_flight_.store(open);
}

void FakeServer::LeaveFlight(const FakeRequest& request) {
    std::lock_guard lock(flight_mutex_);
    std::erase(flight_, &request);
    in_flight_.store(static_cast<int>(flight_.size()));
}

MHD_Result FakeServer::Respond(MHD_Connection* connection, FakeRequest& request) {
    MHD_get_connection_values(connection, MHD_HEADER_KIND, CollectHeader, &request);
    MHD_get_connection_values(connection, MHD_COOKIE_KIND, CollectCookie, &request);
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, CollectArgument, &request);
    if (const auto* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS))
        if (info->client_addr && info->client_addr->sa_family == AF_INET)
            request.peer_port =
                ntohs(reinterpret_cast<const sockaddr_in*>(info->client_addr)->sin_port);
    request.connection = connection;
    // In flight while the handler has it: a client reading the answer may already send its
    // next request on a new connection before libmicrohttpd completes this one, which would
    // count two (seen under ThreadSanitizer's slower scheduling).
    struct Done {
        FakeServer& server;
        const FakeRequest& request;
        ~Done() { server.LeaveFlight(request); }
    } done{*this, request};
    request.counted = false;
    FakeReply reply = handler_(request);
    request.on_completed = std::move(reply.on_completed);
    if (reply.mode == FakeReply::Mode::Drop) return MHD_NO;
    if (reply.mode == FakeReply::Mode::DigestChallenge) {
        MhdResponsePtr challenge(
            MHD_create_response_from_buffer(0, nullptr, MHD_RESPMEM_PERSISTENT));
        return MHD_queue_auth_fail_response2(connection, reply.body.c_str(), "meteremu-fake",
                                             challenge.get(), MHD_NO, reply.digest_algorithm);
    }
    MhdResponsePtr response(MakeResponse(reply));
    if (!response) return MHD_NO;
    MHD_add_response_header(response.get(), "Content-Type", reply.content_type.c_str());
    for (const auto& [name, value] : reply.headers)
        MHD_add_response_header(response.get(), name.c_str(), value.c_str());
    return MHD_queue_response(connection, reply.status, response.get());
}

void FakeServer::OnCompleted(void* self, MHD_Connection*, void** state,
                             MHD_RequestTerminationCode code) noexcept {
    auto* request = static_cast<FakeRequest*>(*state);
    if (!request) return;
    try {
        if (request->on_completed)
            request->on_completed(code == MHD_REQUEST_TERMINATED_COMPLETED_OK);
    } catch (...) { // a callback of C code: nothing may leave it
    }
    // Not yet handled: the count is still ours to undo.
    if (request->counted) static_cast<FakeServer*>(self)->LeaveFlight(*request);
    delete request;
    *state = nullptr;
}

} // namespace meteremu::test
