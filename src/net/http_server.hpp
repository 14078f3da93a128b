// SPDX-License-Identifier: MIT
// HTTP/1.1 server on libmicrohttpd, knowing nothing of the protocol spoken over it: requests
// go to an HttpHandler, which returns the status, body and headers to send. A handler may
// answer 101 and hand the connection to an HttpUpgradeHandler (WebSocket), through
// libmicrohttpd's upgrade support.
//
// With a sample gate (core/sample_gate.hpp), a response that carries a sample goes out only
// as the gate decides for the client's address: at once, as 503 with Retry-After (drop), or
// later (hold): the connection is suspended (MHD_suspend_connection, never blocking a server
// thread) and resumed by the server's hold thread when SampleArrived() is called or the
// deadline passes; the request is then answered again from the start.
#pragma once

#include "core/sample_gate.hpp"
#include "net/allow_list.hpp"
#include "net/client_tracker.hpp"
#include "net/connection_gate.hpp"
#include "net/held_connections.hpp"
#include "net/http_reply_cache.hpp"
#include "net/reply_epoch.hpp"
#include "net/request_label.hpp"
#include "net/socket.hpp"
#include "net/transport_limits.hpp"
#include "util/mhd.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meteremu {

struct HttpRequest {
    std::string_view method; ///< "GET", "POST", ...
    std::string_view path;   ///< URL-decoded path, without the query
    /// URL-decoded query arguments in request order; a value-less "?flag" has value "".
    std::vector<std::pair<std::string_view, std::string_view>> query;
    std::string_view body;
    MHD_Connection* connection = nullptr; ///< for Header(); null in requests built by tests

    /// The request header `name` (any letter case), or nullopt.
    std::optional<std::string_view> Header(const char* name) const;
};

/// A connection taken over from HTTP after a 101 response: a socket the new protocol reads
/// and writes directly. libmicrohttpd still owns the descriptor; destroying this object
/// closes it through libmicrohttpd, which must therefore still be running.
class UpgradedSocket {
public:
    UpgradedSocket(int fd, MHD_UpgradeResponseHandle* handle, std::string early_bytes) noexcept
        : fd_(fd), handle_(handle), early_bytes_(std::move(early_bytes)) {}
    UpgradedSocket(UpgradedSocket&& other) noexcept
        : fd_(std::exchange(other.fd_, -1)), handle_(std::exchange(other.handle_, nullptr)),
          early_bytes_(std::move(other.early_bytes_)) {}
    UpgradedSocket& operator=(UpgradedSocket&&) = delete;
    ~UpgradedSocket();

    int Fd() const noexcept { return fd_; }
    /// Bytes the client sent after its request, already read by libmicrohttpd.
    std::string TakeEarlyBytes() noexcept { return std::move(early_bytes_); }

private:
    int fd_;
    MHD_UpgradeResponseHandle* handle_;
    std::string early_bytes_;
};

class HttpUpgradeHandler {
public:
    virtual ~HttpUpgradeHandler() = default;
    /// Takes over a connection right after its 101 response went out. Called on the HTTP
    /// server's thread: must return at once.
    virtual void Adopt(UpgradedSocket socket) noexcept = 0;
};

struct HttpResponse {
    unsigned status = 200;
    std::string body;
    std::string_view content_type = "application/json"; ///< empty: no Content-Type
    std::vector<std::pair<std::string_view, std::string>> headers;
    /// With status 101: who takes the connection once the response is sent.
    HttpUpgradeHandler* upgrade = nullptr;
    /// The same GET gets the same response while the handler's Epoch() stays: the server
    /// keeps it and answers the next ones without calling the handler.
    bool reusable = false;
    /// The reading the body carries (MeterStamp::sample); 0: none. Only a response with a
    /// sample passes the server's sample gate.
    std::uint64_t sample = 0;
    /// What was asked and what came of it, for the client tracker (net/request_label.hpp).
    RequestLabel label{};
};

/// Why a request is refused before a handler answers it (the server's limits, a WebSocket
/// handshake that is not one), in words: the protocol spoken over HTTP renders the body
/// (HttpHandler::Refuse), as net/ speaks none.
struct HttpRefusal {
    unsigned status;         ///< 413, 414, 431 from the server; 400, 405, 426 from a handshake
    std::string_view reason; ///< e.g. "Request URI too long"
};

class HttpHandler {
public:
    virtual ~HttpHandler() = default;
    /// Called from the server's thread(s); must not block on the network.
    virtual HttpResponse Handle(const HttpRequest& request) noexcept = 0;
    /// See HttpResponse::reusable; invalid (the default): nothing is kept.
    virtual ReplyEpoch Epoch() noexcept { return {}; }
    /// Whether a request for `path` is a client's poll, for the client tracker; a page for a
    /// person (the status page) is not.
    virtual bool IsClientPoll(std::string_view /*path*/) const noexcept { return true; }
    /// The response to a refused request: `refusal.status` with a body that says
    /// `refusal.reason` in the handler's protocol. By default the reason as plain text. May
    /// throw std::bad_alloc.
    virtual HttpResponse Refuse(const HttpRefusal& refusal) const;
    /// The handler for one request: the server asks once per request and holds it until the
    /// response is queued, and calls Epoch, Handle or Refuse on it. Never null; this one
    /// (not owned) by default, the current one of a replaceable handler (daemon/frontend_slot).
    virtual std::shared_ptr<HttpHandler> Current() noexcept {
        return std::shared_ptr<HttpHandler>(std::shared_ptr<void>(), this);
    }
};

/// One libmicrohttpd thread per core, at most 4: on a Raspberry Pi a battery, Home Assistant
/// and a dashboard polling at once are each answered without waiting on another; past four,
/// threads only cost memory.
unsigned HttpThreadsForCores() noexcept;

/// Query arguments a request may have; more get 414. libmicrohttpd keeps a record of each in
/// the connection's memory (see ConnectionMemory), and a Shelly method takes a handful.
inline constexpr std::size_t kMaxQueryArguments = 64;

/// The User-Agent of the daemon's own liveness probe (daemon/watchdog): its requests are
/// answered like any other but are not counted as a client.
inline constexpr std::string_view kLivenessProbeAgent = "meteremu-liveness-probe";

class HttpServer {
public:
    /// Serves on an already listening socket (bound by us or passed in by systemd) and takes
    /// ownership of it. Each request's peer is reported to `clients` when given; connections
    /// from clients `filter` does not allow are refused. Throws std::runtime_error when
    /// libmicrohttpd cannot start.
    /// With `gate`, responses that carry a sample pass it (see above); it outlives the server.
    HttpServer(UniqueFd listen_socket, HttpHandler& handler, const HttpLimits& limits = {},
               ClientTracker* clients = nullptr, const ClientFilter* filter = nullptr,
               SampleGate* gate = nullptr);
    /// Stops serving. The listening socket is taken back from libmicrohttpd first and closed
    /// here: with a thread pool, libmicrohttpd would shut it down, and a socket that systemd
    /// keeps for the next start must stay listening.
    ~HttpServer();

    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    std::uint16_t Port() const noexcept { return port_; }
    /// How libmicrohttpd runs, for the log (and for bench/ to configure its reference the
    /// same way): "2 threads, 296 connections, 24576 bytes each, 30 s timeout".
    std::string Describe() const;
    /// "127.0.0.1:8080" or "[::]:80".
    const std::string& Address() const noexcept { return address_; }
    /// The listening socket's address, e.g. for a request to ourselves.
    const SocketAddress& LocalAddress() const noexcept { return local_address_; }

    /// A new reading was published: held requests are answered again. Returns at once;
    /// thread-safe, for MeterState's subscription.
    void SampleArrived() noexcept;
    /// Requests held now, waiting for a new sample.
    std::size_t HeldRequests() const noexcept;

    /// Requests held at once at most; past it a request without a new sample gets 503.
    static constexpr std::size_t kMaxHeld = 64;

    /// The connections since the start and now; lock-free.
    ConnectionGate::Stats Connections() const noexcept { return gate_.Count(); }

private:
    static MHD_Result OnRequest(void* self, MHD_Connection* connection, const char* url,
                                const char* method, const char* version, const char* upload_data,
                                size_t* upload_data_size, void** request_state) noexcept;
    static void OnCompleted(void* self, MHD_Connection* connection, void** request_state,
                            MHD_RequestTerminationCode code) noexcept;
    static MHD_Result OnAccept(void* self, const sockaddr* peer, socklen_t length) noexcept;
    static void* OnUri(void* self, const char* uri, MHD_Connection* connection) noexcept;
    static void OnConnection(void* self, MHD_Connection* connection, void** socket_state,
                             MHD_ConnectionNotificationCode code) noexcept;

    /// A request being answered, by the handler that answers all of it.
    struct Asked {
        MHD_Connection* connection;
        const HttpHandler& handler;
        const char* url;
        bool held; ///< asked again after the sample gate held it
    };

    MHD_Result Respond(MHD_Connection* connection, const char* url, const char* method,
                       std::string_view body, bool held);
    /// `refusal` as the handler renders it; with `close`, the connection closes after it.
    MHD_Result Refuse(MHD_Connection* connection, const HttpRefusal& refusal, bool close);
    MHD_Result RespondToGet(MHD_Connection* connection, const char* url, const char* method,
                            bool held);
    /// `sample` through the gate: nullopt when the response may go out, else what became of
    /// the request (suspended, or a 503 queued: noted as `method` with no new sample).
    std::optional<MHD_Result> Gate(const Asked& asked, std::uint64_t sample, MethodId method);
    /// `reply` through the gate; noted as its label when it goes out.
    MHD_Result Respond(const Asked& asked, const HttpResponse& reply);
    /// `handler`'s response; a WebSocket upgrade is told to the gate.
    HttpResponse Answer(HttpHandler& handler, MHD_Connection* connection, const char* url,
                        const char* method, std::string_view body);
    /// Reports the request's sender and `label` to the client tracker, unless the handler says
    /// the path is no client's poll.
    void NoteClient(const Asked& asked, RequestLabel label) noexcept;
    /// The same for a request refused before a handler saw it.
    void NoteClient(MHD_Connection* connection, RequestLabel label) noexcept;

    HttpHandler& handler_;
    SampleGate* sample_gate_;
    std::unique_ptr<HeldConnections> holds_; ///< with a sample gate; stopped before daemon_
    HttpLimits limits_;
    ClientTracker* clients_;
    std::uint16_t port_ = 0;
    std::string address_;
    SocketAddress local_address_;
    ConnectionGate gate_;  ///< before daemon_: libmicrohttpd reports to it until it stops
    HttpReplyCache cache_; ///< before daemon_: the server stops before the cache goes
    MhdDaemonPtr daemon_;
};

} // namespace meteremu
