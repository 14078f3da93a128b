// SPDX-License-Identifier: MIT
// A fake of Enphase's cloud token service
// (docs/protocols/envoy.md#enlighten-token-refresh) on plain HTTP on loopback: the login
// (POST /login/login.json) and the token request (POST /tokens), with a normal account, a
// multi-factor account, refused credentials, or an error page instead of a token.
#pragma once

#include "fakes/fake_server.hpp"

#include <memory>
#include <mutex>
#include <string>

namespace meteremu::test {

class FakeEnlighten {
public:
    enum class Mode { Normal, MultiFactor, BadCredentials, ErrorPage };

    FakeEnlighten(std::string username, std::string password, std::string token);

    /// "http://127.0.0.1:<port>": both enlighten_url and entrez_url.
    std::string Url() const;
    void SetMode(Mode mode);
    void SetToken(std::string token);

    int Logins() const;
    int TokenRequests() const;
    /// serial_num of the last token request.
    std::string LastSerial() const;

private:
    FakeReply Handle(const FakeRequest& request);
    FakeReply Login(const FakeRequest& request);
    FakeReply Token(const FakeRequest& request);

    mutable std::mutex mutex_;
    std::string username_;
    std::string password_;
    std::string token_;
    Mode mode_ = Mode::Normal;
    int logins_ = 0;
    int token_requests_ = 0;
    std::string last_serial_;
    std::unique_ptr<FakeServer> server_;
};

} // namespace meteremu::test
