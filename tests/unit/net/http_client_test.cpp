// SPDX-License-Identifier: MIT
// The poller's HTTP client against real local servers: keep-alive, cookies, no redirects,
// bounded timeouts, cancellation, certificate checks.
#include "fakes/fake_envoy.hpp"
#include "fakes/fake_server.hpp"
#include "net/http_client.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <thread>

namespace meteremu {
namespace {

using namespace std::chrono_literals;
using test::FakeReply;
using test::FakeRequest;
using test::FakeServer;

HttpClientOptions Options(bool verify_peer, std::string ca_file = "") {
    HttpClientOptions options;
    options.verify_peer = verify_peer;
    options.ca_file = std::move(ca_file);
    return options;
}

class HttpClientTest : public testing::Test {
protected:
    FakeReply Handle(const FakeRequest& request) {
        {
            std::lock_guard lock(mutex_);
            seen_.push_back(request);
        }
        FakeReply reply;
        reply.body = R"({"ok":true})";
        if (request.path == "/login")
            reply.headers.emplace_back("Set-Cookie", "sessionId=abc; Path=/; HttpOnly");
        if (request.path == "/moved") {
            reply.status = 301;
            reply.headers.emplace_back("Location", "https://localhost/");
        }
        if (request.path == "/slow") request.Wait(5s, [&] { return server_->Stopping(); });
        return reply;
    }

    std::string Url(const std::string& path) const {
        return std::string(server_->Tls() ? "https" : "http") +
               "://127.0.0.1:" + std::to_string(server_->Port()) + path;
    }

    ClientResponse Get(HttpClient& client, const std::string& path, Seconds timeout = 5s) {
        ClientRequest request;
        request.url = Url(path);
        request.timeout = timeout;
        request.bearer = "eyJtoken";
        return client.Perform(request, {});
    }

    TransportFailure FailureOf(HttpClient& client, const std::string& path, Seconds timeout,
                               std::stop_token stop = {}) {
        ClientRequest request{Url(path), "", "", timeout, "", "", false};
        try {
            client.Perform(request, stop);
        } catch (const TransportError& error) {
            return error.Failure();
        }
        ADD_FAILURE() << "no TransportError";
        return TransportFailure::Other;
    }

    std::mutex mutex_;
    std::vector<FakeRequest> seen_;
    std::unique_ptr<FakeServer> server_ = std::make_unique<FakeServer>(
        [this](const FakeRequest& request) { return Handle(request); });
};

TEST_F(HttpClientTest, KeepsOneConnectionAndReusesTheSessionCookie) {
    HttpClient client(Options(false));
    EXPECT_FALSE(client.HasCookie("sessionId"));
    EXPECT_EQ(Get(client, "/login").status, 200);
    EXPECT_TRUE(client.HasCookie("sessionId"));
    for (int i = 0; i < 4; ++i)
        EXPECT_EQ(Get(client, "/data").body, R"({"ok":true})");
    std::lock_guard lock(mutex_);
    ASSERT_EQ(seen_.size(), 5u);
    for (size_t i = 1; i < seen_.size(); ++i) {
        EXPECT_EQ(seen_[i].peer_port, seen_[0].peer_port) << "request " << i;
        EXPECT_EQ(seen_[i].cookies["sessionId"], "abc");
        EXPECT_EQ(seen_[i].headers["accept"], "application/json");
        EXPECT_EQ(seen_[i].headers["authorization"], "Bearer eyJtoken");
    }
    client.ClearCookies();
    EXPECT_FALSE(client.HasCookie("sessionId"));
}

TEST_F(HttpClientTest, NeverFollowsRedirects) {
    HttpClient client(Options(true));
    auto response = Get(client, "/moved");
    EXPECT_EQ(response.status, 301);
    std::lock_guard lock(mutex_);
    EXPECT_EQ(seen_.size(), 1u);
}

TEST_F(HttpClientTest, TimesOutWithinTheRequestTimeout) {
    HttpClient client(Options(true));
    auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(FailureOf(client, "/slow", 0.5s), TransportFailure::Timeout);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

TEST_F(HttpClientTest, StopsAHangingRequestWhenAskedTo) {
    HttpClient client(Options(true));
    std::stop_source stop;
    std::thread stopper([&] {
        std::this_thread::sleep_for(200ms);
        stop.request_stop();
    });
    auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(FailureOf(client, "/slow", 10s, stop.get_token()), TransportFailure::Cancelled);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
    stopper.join();
}

TEST_F(HttpClientTest, ReportsRefusedConnections) {
    HttpClient client(Options(true));
    server_->Stop();
    EXPECT_EQ(FailureOf(client, "/data", 2s), TransportFailure::Refused);
}

TEST(HttpClientTlsTest, VerifiesCertificatesOnlyWhenAsked) {
    test::TempDir dir;
    auto tls = test::MakeSelfSignedCertificate(dir.Path());
    FakeServer server(
        [](const FakeRequest&) {
            FakeReply reply;
            reply.body = "{}";
            return reply;
        },
        0, tls);
    ClientRequest request{
        "https://127.0.0.1:" + std::to_string(server.Port()) + "/", "", "", 5s, "", "", false};
    HttpClient accepting(Options(false));
    EXPECT_EQ(accepting.Perform(request, {}).status, 200);
    HttpClient pinned(Options(true, (dir.Path() / "envoy-cert.pem").string()));
    EXPECT_EQ(pinned.Perform(request, {}).status, 200);
    HttpClient verifying(Options(true));
    try {
        verifying.Perform(request, {});
        ADD_FAILURE() << "a self-signed certificate passed verification";
    } catch (const TransportError& error) {
        EXPECT_EQ(error.Failure(), TransportFailure::Tls) << error.what();
    }
}

/// A device that asks for HTTP Digest with SHA-256 (as Shelly Gen2 devices do) or for Basic,
/// and remembers the last Authorization header.
class HttpClientLoginTest : public testing::Test {
protected:
    FakeReply Handle(const FakeRequest& request) {
        FakeReply reply;
        {
            std::lock_guard lock(mutex_);
            auto header = request.headers.find("authorization");
            if (header != request.headers.end()) authorization_ = header->second;
        }
        if (request.path == "/basic") {
            if (request.BasicValid("reader", "s3cret")) return reply;
            reply.status = 401;
            reply.headers.emplace_back("WWW-Authenticate", "Basic realm=\"meter\"");
            return reply;
        }
        if (request.DigestValid("shellypro3em-x", "admin", "s3cret", MHD_DIGEST_ALG_SHA256))
            return reply;
        reply.mode = FakeReply::Mode::DigestChallenge;
        reply.digest_algorithm = MHD_DIGEST_ALG_SHA256;
        reply.body = "shellypro3em-x";
        return reply;
    }

    long Status(HttpClient& client, const std::string& path) {
        ClientRequest request;
        request.url = "http://127.0.0.1:" + std::to_string(server_.Port()) + path;
        return client.Perform(request, {}).status;
    }

    std::string Authorization() {
        std::lock_guard lock(mutex_);
        return authorization_;
    }

    std::mutex mutex_;
    std::string authorization_;
    FakeServer server_{[this](const FakeRequest& request) { return Handle(request); }};
};

TEST_F(HttpClientLoginTest, AnswersADigestSha256Challenge) {
    HttpClient client(Options(true));
    EXPECT_EQ(Status(client, "/rpc/EM.GetStatus"), 401); // no login set
    client.SetDigestLogin("admin", "s3cret");
    EXPECT_EQ(Status(client, "/rpc/EM.GetStatus"), 200);
    // The fake accepted a SHA-256 response (64 hex digits), which the client says it sent.
    std::string sent = Authorization();
    std::transform(sent.begin(), sent.end(), sent.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    EXPECT_NE(sent.find("algorithm=sha-256"), std::string::npos) << sent;
    EXPECT_EQ(Authorization().find("s3cret"), std::string::npos);
    client.SetDigestLogin("admin", "wrong");
    EXPECT_EQ(Status(client, "/rpc/EM.GetStatus"), 401);
}

TEST_F(HttpClientLoginTest, SendsBasicCredentials) {
    HttpClient client(Options(true));
    client.SetBasicLogin("reader", "s3cret");
    EXPECT_EQ(Status(client, "/basic"), 200);
    EXPECT_TRUE(Authorization().starts_with("Basic ")) << Authorization();
    client.SetBasicLogin("reader", "wrong");
    EXPECT_EQ(Status(client, "/basic"), 401);
}

} // namespace
} // namespace meteremu
