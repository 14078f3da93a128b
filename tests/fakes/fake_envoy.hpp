// SPDX-License-Identifier: MIT
// A fake Enphase Envoy for tests and benchmarks: serves a folder of the device captures
// (tests/fixtures/envoy/<folder>) by endpoint name, over HTTPS with a token and session
// cookie like firmware >= 7 or over plain HTTP like older firmware, with faults switched on at
// run time: delay, hang, 401, 403, 503, 502, an HTML page with 200, a truncated body, a reset
// mid-body, refused connections, a firmware change. It counts requests and requests in flight.
#pragma once

#include "fakes/fake_server.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace meteremu::test {

enum class FaultKind {
    None,
    Delay,        ///< answer normally after `delay`
    Hang,         ///< never answer while the fault lasts (the client has to time out)
    Unauthorized, ///< 401 with the Envoy's HTML page
    Forbidden,    ///< 403
    Unavailable,  ///< 503
    BadGateway,   ///< 502
    Html,         ///< 200 with an HTML error page
    Truncated,    ///< 200 with the first half of the body
    Reset,        ///< the whole length announced, half sent, connection closed
};

/// "delay", "hang", "401", "403", "503", "502", "html", "truncated", "reset", "none".
std::optional<FaultKind> ParseFaultKind(std::string_view name);

struct Fault {
    FaultKind kind = FaultKind::None;
    std::chrono::milliseconds delay{0}; ///< for Delay
    std::string path;                   ///< only this path ("/ivp/meters/readings"); "" = all
    int count = -1;                     ///< requests it applies to; -1 = until cleared
};

struct FakeEnvoyOptions {
    std::filesystem::path folder; ///< a folder of fixtures/envoy
    std::uint16_t port = 0;
    /// HTTPS with this certificate (firmware >= 7); plain HTTP without.
    std::optional<TlsMaterial> tls;
    /// Accepted bearer tokens; empty accepts any JWT-looking token ("eyJ...").
    std::set<std::string> tokens;
    /// Firmware < 7: /ivp/* asks for HTTP Digest as user "envoy" with the last six characters
    /// of the serial, in realm enphaseenergy.com (docs/protocols/envoy.md#legacy-digest).
    bool digest = false;
};

struct RecordedRequest {
    std::string path; ///< with "?query" when there was one
    std::chrono::steady_clock::time_point at;
    bool bearer = false;  ///< carried an Authorization: Bearer header
    bool session = false; ///< carried a sessionId cookie the fake had issued
    bool digest = false;  ///< carried valid Digest credentials
    unsigned status = 0;  ///< what the fake answered (0: no answer)
    bool faulted = false; ///< a fault changed or delayed the answer
    /// The whole answer left the fake. A reading recorded with status 200 may still be lost
    /// when the fake goes down before sending it (SetDown), which a test must not count as
    /// surely delivered.
    bool delivered = false;
    std::uint64_t number = 0; ///< the order the fake saw requests in, from 1
};

class FakeEnvoy {
public:
    explicit FakeEnvoy(FakeEnvoyOptions options);

    std::uint16_t Port() const noexcept { return server_->Port(); }
    /// "127.0.0.1:<port>", for the host key.
    std::string Host() const;

    void SetFault(Fault fault);
    void ClearFault() { SetFault({}); }
    /// Serves another folder (a firmware update); sessions are dropped as a real update does.
    void SetFolder(std::filesystem::path folder);
    /// Refuses connections (down) or listens again on the same port (up).
    void SetDown(bool down);
    void SetTokens(std::set<std::string> tokens);
    /// Another device takes the address: listens again on the same port with `tls` (another
    /// certificate), or plain HTTP without; the sessions are gone.
    void Replace(std::optional<TlsMaterial> tls);
    std::optional<TlsMaterial> Tls() const;
    void ForgetSessions();

    std::vector<RecordedRequest> Requests() const;
    /// Requests to `path` (with query, e.g. "/production.json?details=1").
    int Count(const std::string& path) const;
    void ClearRequests();
    int InFlight() const noexcept { return server_->InFlight(); }
    int MaxInFlight() const noexcept { return server_->MaxInFlight(); }
    /// The counters as JSON, for the control path of the standalone fake.
    std::string StatsJson() const;

private:
    FakeReply Handle(const FakeRequest& request);
    std::optional<FakeReply> ApplyFault(const FakeRequest& request, const std::string& path,
                                        const Fault& fault, FakeReply& normal);
    std::optional<FakeReply> CheckAuth(const FakeRequest& request, const std::string& path,
                                       RecordedRequest& record);
    std::optional<FakeReply> CheckDigest(const FakeRequest& request, RecordedRequest& record) const;
    FakeReply ServeFile(const std::string& path) const;
    void MarkDelivered(std::uint64_t number, bool delivered);
    bool TokensRequired() const;
    std::string Serial() const; ///< <sn> of the folder's /info

    mutable std::mutex mutex_;
    FakeEnvoyOptions options_;
    Fault fault_;
    std::set<std::string> sessions_;
    std::vector<RecordedRequest> requests_;
    unsigned next_session_ = 1;
    std::uint64_t next_request_number_ = 1;
    std::unique_ptr<FakeServer> server_;
};

/// The fixture file name for a request (tests/fixtures/PROVENANCE.md): "/ivp/meters/readings" →
/// "ivp_meters_readings", "/production.json?details=1" → "production.json_details_1".
std::string FixtureName(const std::string& path_and_query);

/// Writes a self-signed certificate for 127.0.0.1 and localhost (openssl CLI) into `directory`
/// and returns it. Throws std::runtime_error when openssl is missing or fails.
TlsMaterial MakeSelfSignedCertificate(const std::filesystem::path& directory);

/// A JWT shaped like an Envoy owner token (not signed: the fake does not check signatures).
std::string MakeJwt(std::chrono::system_clock::time_point expires_at, const std::string& serial,
                    const std::string& user_type = "owner", const std::string& jti = "1");

} // namespace meteremu::test
