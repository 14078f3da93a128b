// SPDX-License-Identifier: MIT
// A scripted Envoy behind the EnvoyConnection interface, so EnvoyPoller runs step by step
// without a socket: each path answers a body or an EnvoyError of a given kind; the server's
// certificate key can change (an impostor). It keeps pinning as EnvoyClient does (a token is
// only sent with a pinned key, and a request to a server with another key fails Untrusted)
// and records every request with the token it carried, so tests can assert where a token
// went.
#pragma once

#include "backends/envoy/envoy_connection.hpp"
#include "backends/envoy/envoy_error.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace meteremu::test {

using envoy::EnvoyError;
using envoy::EnvoyInfo;
using envoy::ErrorKind;

class FakeEnvoyConnection final : public envoy::EnvoyConnection {
public:
    struct Request {
        std::string path;
        std::string bearer;     ///< the token it carried ("" for none)
        std::string server_key; ///< the key of the server that answered
    };

    void Serve(const std::string& path, std::string body) {
        replies_[path] = {std::move(body), std::nullopt};
    }
    void Fail(const std::string& path, ErrorKind kind) { replies_[path] = {"", kind}; }
    void SetServerKey(std::string key) { server_key_ = std::move(key); }
    /// CheckToken answers 401 to any token but this one ("" accepts every token).
    void AcceptOnly(std::string token) { accepted_ = std::move(token); }

    const std::vector<Request>& Requests() const { return requests_; }
    std::vector<std::string> Paths() const {
        std::vector<std::string> paths;
        for (const auto& request : requests_)
            paths.push_back(request.path);
        return paths;
    }
    const std::string& Pinned() const { return pinned_; }

    EnvoyInfo Discover(std::stop_token, bool) override {
        peer_key_.clear();
        std::string body = Answer("/info", false);
        peer_key_ = server_key_;
        return envoy::ParseInfo(body);
    }
    const std::string& PeerKey() const noexcept override { return peer_key_; }
    bool PlainHttp() const noexcept override { return false; }
    void PinKey(std::string key) override {
        if (key != pinned_) session_ = false;
        pinned_ = std::move(key);
    }
    void SetToken(std::string token) override {
        if (token != token_) session_ = false;
        token_ = std::move(token);
    }
    void UseLegacyLogin(const std::string&) override { token_.clear(); }
    void CheckToken(std::stop_token) override {
        Answer("/auth/check_jwt", true);
        if (!accepted_.empty() && token_ != accepted_)
            throw EnvoyError(ErrorKind::Auth, BaseUrl() + "/auth/check_jwt answered HTTP 401");
        session_ = true;
    }
    bool HasSession() const override { return session_; }
    void DropSession() override { session_ = false; }
    std::string Get(const std::string& path, Seconds, std::stop_token) override {
        return Answer(path, true);
    }
    std::string BaseUrl() const override { return "https://192.0.2.10"; }

private:
    struct Reply {
        std::string body;
        std::optional<ErrorKind> error;
    };

    /// As EnvoyClient::Request: no token without a pin; a pinned connection meets the server's
    /// key in the TLS handshake, before anything is sent.
    std::string Answer(const std::string& path, bool authorized) {
        bool carries_token = authorized && !token_.empty();
        if (carries_token && pinned_.empty())
            throw EnvoyError(ErrorKind::Untrusted, path + ": no certificate key pinned");
        if (path != "/info" && !pinned_.empty() && server_key_ != pinned_)
            throw EnvoyError(ErrorKind::Untrusted, path + ": not the pinned key");
        requests_.push_back({path, carries_token ? token_ : "", server_key_});
        auto reply = replies_.find(path);
        if (reply == replies_.end())
            throw EnvoyError(ErrorKind::Missing, BaseUrl() + path + " answered HTTP 404");
        if (reply->second.error)
            throw EnvoyError(*reply->second.error, BaseUrl() + path + " failed");
        return reply->second.body;
    }

    std::map<std::string, Reply> replies_{
        {"/auth/check_jwt", {"<p>Valid token.</p>", std::nullopt}}};
    std::vector<Request> requests_;
    std::string server_key_ = "sha256//trusted-key";
    std::string peer_key_;
    std::string pinned_;
    std::string token_;
    std::string accepted_;
    bool session_ = false;
};

} // namespace meteremu::test
