// SPDX-License-Identifier: MIT
// A fake meter that serves JSON over HTTP (a Shelly, a Tasmota, a HomeWizard P1) on the
// project's FakeServer: one body served at one path, optionally behind HTTP Basic or Digest
// SHA-256 (as Shelly Gen2 devices ask for), with faults switched on at run time (hang,
// garbage, down). It records when each body was first sent, so a test can time how soon the
// daemon serves it.
#pragma once

#include "fakes/fake_server.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace meteremu::test {

struct FakeJsonMeterOptions {
    /// TasmotaQuery: the query arguments user and password, as Tasmota's web login.
    enum class Auth { None, Basic, DigestSha256, TasmotaQuery };
    Auth auth = Auth::None;
    std::string user = "admin";
    std::string password;
    /// The path served (the query is not checked); any other path is a 404.
    std::string path = "/rpc/EM.GetStatus";
};

class FakeJsonMeter {
public:
    enum class Fault {
        None,
        Hang,    ///< never answer while the fault lasts (until cleared or stopped)
        Garbage, ///< 200 with bytes that are not JSON
    };

    FakeJsonMeter(FakeJsonMeterOptions options, std::string body);

    /// "127.0.0.1:<port>", for the host key.
    std::string Host() const;
    std::string Url() const;

    /// Serves `body` from now on; returns its number, for DeliveredAt.
    unsigned SetBody(std::string body);
    void SetFault(Fault fault);
    void SetPassword(std::string password);
    /// Refuses connections (down) or listens again on the same port (up).
    void SetDown(bool down);

    /// When body `number` was first handed to the server to send (the client has it a
    /// moment later); nullopt until then.
    std::optional<std::chrono::steady_clock::time_point> DeliveredAt(unsigned number) const;
    /// Requests answered with the body (2xx), and refused for their credentials.
    int Served() const;
    int Refused() const;

private:
    FakeReply Handle(const FakeRequest& request);
    bool Authorized(const FakeRequest& request, FakeReply& refusal) const;

    mutable std::mutex mutex_;
    FakeJsonMeterOptions options_;
    std::string body_;
    unsigned body_number_ = 1;
    std::optional<std::chrono::steady_clock::time_point> delivered_at_;
    unsigned delivered_number_ = 0;
    Fault fault_ = Fault::None;
    int served_ = 0;
    int refused_ = 0;
    std::unique_ptr<FakeServer> server_;
};

} // namespace meteremu::test
