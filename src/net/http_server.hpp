// SPDX-License-Identifier: MIT
// HTTP/1.1 server on libmicrohttpd, knowing nothing of the protocol spoken over it: requests
// go to an HttpHandler, which returns the status, body and headers to send.
#pragma once

#include "net/client_tracker.hpp"
#include "net/socket.hpp"
#include "util/mhd.hpp"

#include <cstddef>
#include <cstdint>
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
};

struct HttpResponse {
    unsigned status = 200;
    std::string body;
    std::string_view content_type = "application/json";
    std::vector<std::pair<std::string_view, std::string_view>> headers;
};

class HttpHandler {
public:
    virtual ~HttpHandler() = default;
    /// Called from the server's thread(s); must not block on the network.
    virtual HttpResponse Handle(const HttpRequest& request) noexcept = 0;
};

struct HttpLimits {
    unsigned max_connections = 256;
    unsigned idle_timeout_seconds = 30;
    std::size_t max_body_bytes = 16 * 1024;
    std::size_t connection_memory_bytes = 32 * 1024; ///< request line + headers + buffers
};

/// The User-Agent of the daemon's own liveness probe (daemon/watchdog): its requests are
/// answered like any other but are not counted as a client.
inline constexpr std::string_view kLivenessProbeAgent = "meteremu-liveness-probe";

class HttpServer {
public:
    /// Serves on an already listening socket (bound by us or passed in by systemd) and takes
    /// ownership of it. Each request's peer is reported to `clients` when given. Throws
    /// std::runtime_error when libmicrohttpd cannot start.
    HttpServer(UniqueFd listen_socket, HttpHandler& handler, const HttpLimits& limits = {},
               ClientTracker* clients = nullptr);
    ~HttpServer() = default;

    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    std::uint16_t Port() const noexcept { return port_; }
    /// "127.0.0.1:8080" or "[::]:80".
    const std::string& Address() const noexcept { return address_; }
    /// The listening socket's address, e.g. for a request to ourselves.
    const SocketAddress& LocalAddress() const noexcept { return local_address_; }

private:
    static MHD_Result OnRequest(void* self, MHD_Connection* connection, const char* url,
                                const char* method, const char* version, const char* upload_data,
                                size_t* upload_data_size, void** request_state) noexcept;
    static void OnCompleted(void* self, MHD_Connection* connection, void** request_state,
                            MHD_RequestTerminationCode code) noexcept;

    MHD_Result Respond(MHD_Connection* connection, const char* url, const char* method,
                       std::string_view body);
    void NoteClient(MHD_Connection* connection) noexcept;

    HttpHandler& handler_;
    HttpLimits limits_;
    ClientTracker* clients_;
    std::uint16_t port_ = 0;
    std::string address_;
    SocketAddress local_address_;
    MhdDaemonPtr daemon_;
};

} // namespace meteremu
