// SPDX-License-Identifier: MIT
// A small HTTP(S) server on libmicrohttpd for fakes of remote devices and services (the
// Envoy, Enlighten). One thread per connection, so a handler may block to play a slow or hung
// device; it counts the requests in flight, and can stop and listen again on the same port to
// play a device that goes away.
#pragma once

#include "util/mhd.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meteremu::test {

struct FakeRequest {
    std::string method;
    std::string path;  ///< without the query
    std::string query; ///< "details=1" (arguments joined again with '&'), "" when none
    std::string body;
    std::map<std::string, std::string> headers; ///< names in lower case
    std::map<std::string, std::string> cookies;
    int fd = -1;                 ///< the connection's socket, to notice a client that gives up
    std::uint16_t peer_port = 0; ///< the client's port: the same on a kept-alive connection
    MHD_Connection* connection = nullptr;
    bool counted = true; ///< in the server's in-flight count until its handler returns
    /// The reply's on_completed, called once libmicrohttpd ends the request.
    std::function<void(bool delivered)> on_completed;

    /// Whether the request carries valid HTTP Digest credentials (MD5, as legacy Envoys;
    /// SHA-256, as Shelly Gen2 devices).
    bool DigestValid(const std::string& realm, const std::string& user, const std::string& password,
                     MHD_DigestAuthAlgorithm algorithm = MHD_DIGEST_ALG_MD5) const;
    /// Whether the request carries these HTTP Basic credentials.
    bool BasicValid(const std::string& user, const std::string& password) const;

    /// Waits up to `duration`, ending early when the client closes the connection or `cancel`
    /// returns true; false when it ended early.
    bool Wait(std::chrono::milliseconds duration, const std::function<bool()>& cancel) const;
};

/// "a=1&b=%5B" → {a: 1, b: [}: a query string or a form body, URL-decoded ('+' is a space).
std::map<std::string, std::string> ParseForm(std::string_view text);

struct FakeReply {
    enum class Mode {
        Normal,
        ResetMidBody,    ///< announce the whole body, send half, close the connection
        Drop,            ///< close the connection without answering
        DigestChallenge, ///< 401 asking for HTTP Digest credentials in realm `body`
    };
    /// The algorithm a DigestChallenge asks for.
    MHD_DigestAuthAlgorithm digest_algorithm = MHD_DIGEST_ALG_MD5;
    unsigned status = 200;
    std::string body;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
    Mode mode = Mode::Normal;
    /// Called when the request ends: true once the whole answer was sent, false when the
    /// connection closed before (a server stopped under it, a client that gave up).
    std::function<void(bool delivered)> on_completed;
};

struct TlsMaterial {
    std::string certificate_pem;
    std::string key_pem;
};

class FakeServer {
public:
    using Handler = std::function<FakeReply(const FakeRequest&)>;

    /// `port` 0 picks a free one. Throws std::runtime_error when it cannot listen.
    FakeServer(Handler handler, std::uint16_t port = 0, std::optional<TlsMaterial> tls = {});
    ~FakeServer();

    FakeServer(const FakeServer&) = delete;
    FakeServer& operator=(const FakeServer&) = delete;

    std::uint16_t Port() const noexcept { return port_; }
    bool Tls() const noexcept { return tls_.has_value(); }

    /// Stops listening and closes every connection (clients see "connection refused").
    void Stop();
    /// Listens again on the same port.
    void Start();
    bool Running() const;

    int InFlight() const noexcept { return in_flight_.load(); }
    /// The most requests a client had open at once: when one arrives, the others in flight
    /// whose client has not yet closed them. A client that gave up on a request and then sent
    /// the next counts one, however late the handler of the first notices.
    int MaxInFlight() const noexcept { return max_in_flight_.load(); }
    void ResetMaxInFlight() noexcept { max_in_flight_.store(in_flight_.load()); }

    /// True while Stop() runs: blocking handlers should return.
    bool Stopping() const noexcept { return stopping_.load(); }

private:
    static MHD_Result OnRequest(void* self, MHD_Connection* connection, const char* url,
                                const char* method, const char* version, const char* upload,
                                size_t* upload_size, void** state) noexcept;
    static void OnCompleted(void* self, MHD_Connection* connection, void** state,
                            MHD_RequestTerminationCode code) noexcept;
    MHD_Result Respond(MHD_Connection* connection, FakeRequest& request);
    void EnterFlight(const FakeRequest& request);
    void LeaveFlight(const FakeRequest& request);

    Handler handler_;
    std::uint16_t port_;
    std::optional<TlsMaterial> tls_;
    mutable std::mutex mutex_;
    MhdDaemonPtr daemon_;
    std::mutex flight_mutex_;
    std::vector<const FakeRequest*> flight_; ///< the requests in flight, under flight_mutex_
    std::atomic<int> in_flight_{0};
    std::atomic<int> max_in_flight_{0};
    std::atomic<bool> stopping_{false};
};

} // namespace meteremu::test
