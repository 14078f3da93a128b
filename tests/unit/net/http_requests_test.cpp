// SPDX-License-Identifier: MIT
// Requests at the edges of HTTP on a real libmicrohttpd server, from raw sockets and libcurl:
// a GET or HEAD carrying a body, pipelined requests behind it, paths whose decoded form holds
// the separators of the reply cache's key, and requests too long or with too many parts. Each
// gets an answer with a status; none is a silent close.
#include "net/http_server.hpp"
#include "support/http_client.hpp"
#include "support/tcp_client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>

namespace meteremu {
namespace {

using namespace std::chrono_literals;
using test::ConnectFrom;
using test::Exchange;
using test::GetRequest;
using test::StatusOf;

/// Answers every request with its method, path and arguments, as a reusable reply under a
/// fixed epoch: the server keeps it and serves it again for the same request.
class EchoHandler final : public HttpHandler {
public:
    HttpResponse Handle(const HttpRequest& request) noexcept override {
        ++calls;
        std::string body = std::string(request.method) + " [" + std::string(request.path) + "]";
        for (const auto& [key, value] : request.query)
            body += " [" + std::string(key) + "]=[" + std::string(value) + "]";
        HttpResponse response{200, body, "text/plain", {}};
        response.reusable = true;
        return response;
    }
    ReplyEpoch Epoch() noexcept override { return {1, 1, 0}; }

    std::atomic<int> calls = 0;
};

class HttpRequestsTest : public testing::Test {
protected:
    void Start(const HttpLimits& limits = {}) {
        server_ = std::make_unique<HttpServer>(BindSocket(SocketKind::Stream, "127.0.0.1", 0),
                                               handler_, limits);
    }

    std::string Url(const std::string& target) const {
        return "http://127.0.0.1:" + std::to_string(server_->Port()) + target;
    }

    /// What the server sends for `requests` (sent at once) until it closes the connection.
    std::string Pipelined(const std::string& requests) {
        UniqueFd fd = ConnectFrom("127.0.0.2", server_->Port());
        EXPECT_TRUE(test::SendAll(fd.Get(), requests));
        bool closed = false;
        std::string answers = test::ReadUntilClosed(fd.Get(), 3s, closed);
        EXPECT_TRUE(closed) << "the last request asks to close";
        return answers;
    }

    EchoHandler handler_;
    std::unique_ptr<HttpServer> server_;
};

int Count(const std::string& text, std::string_view part) {
    int found = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
        ++found;
    return found;
}

TEST_F(HttpRequestsTest, GetAndHeadWithABodyAreAnsweredAndSoAreRequestsPipelinedBehind) {
    Start();
    std::string answers = Pipelined(
        "GET /a HTTP/1.1\r\nHost: meter\r\nContent-Length: 5\r\n\r\nhello"
        "HEAD /b HTTP/1.1\r\nHost: meter\r\nContent-Length: 3\r\n\r\nabc"
        "GET /c HTTP/1.1\r\nHost: meter\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbody\r\n0\r\n\r\n"
        "GET /d HTTP/1.1\r\nHost: meter\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(Count(answers, "HTTP/1.1 200 OK\r\n"), 4) << answers;
    EXPECT_NE(answers.find("GET [/a]"), std::string::npos) << answers;
    EXPECT_EQ(answers.find("HEAD [/b]"), std::string::npos) << "a HEAD answer has no body";
    EXPECT_NE(answers.find("GET [/c]"), std::string::npos) << answers;
    EXPECT_NE(answers.find("GET [/d]"), std::string::npos) << answers;
}

TEST_F(HttpRequestsTest, PathWithEncodedSeparatorsSharesNoKeptReply) {
    Start();
    // Decoded, both read "GET /m?id=0&?x=1&" with the reply cache's separators; the first is
    // the path "/m" with the arguments "id" and "?x", the second the path "/m?id=0&" with "x".
    const std::string arguments = "/m?id=0&%3Fx=1";
    const std::string path = "/m%3Fid%3D0%26?x=1";
    for (int round = 0; round < 2; ++round) {
        test::HttpResult first = test::HttpGet(Url(arguments));
        test::HttpResult second = test::HttpGet(Url(path));
        EXPECT_EQ(first.body, "GET [/m] [id]=[0] [?x]=[1]") << round;
        EXPECT_EQ(second.body, "GET [/m?id=0&] [x]=[1]") << round;
    }
    // Ordinary requests are still kept: the second of each is served without the handler.
    int calls = handler_.calls;
    for (int round = 0; round < 2; ++round)
        EXPECT_EQ(test::HttpGet(Url("/rpc/EM.GetStatus?id=0")).status, 200);
    EXPECT_EQ(handler_.calls, calls + 1);
}

// The bodies are the handler's (HttpHandler::Refuse; here the default, the reason as text):
// the JSON-RPC adapter's are in tests/unit/frontends/jsonrpc/rpc_http_test.cpp.
TEST_F(HttpRequestsTest, HundredsOfQueryArgumentsGetAStatusAndTheReason) {
    Start(); // the default limits: 8 KiB of request line and headers
    std::string many;
    for (int i = 0; i < 500; ++i)
        many += "a=1&";
    test::HttpResult reply = test::HttpGet(Url("/rpc/EM.GetStatus?" + many), 2s);
    ASSERT_NE(reply.status, 0) << reply.error;
    EXPECT_EQ(reply.status, 414);
    EXPECT_EQ(reply.body, "Too many query arguments");
    EXPECT_EQ(reply.Header("Content-Type"), "text/plain");
    // As many arguments as the limit allows are served.
    std::string allowed = "a=1";
    for (std::size_t i = 1; i < kMaxQueryArguments; ++i)
        allowed += "&a=1";
    EXPECT_EQ(test::HttpGet(Url("/rpc/EM.GetStatus?" + allowed), 2s).status, 200);
    // The smallest arguments, as many as fit in the request line, the same.
    UniqueFd fd = ConnectFrom("127.0.0.2", server_->Port());
    std::string answer = Exchange(fd.Get(), GetRequest("/x?" + std::string(8000, '&')), 2s);
    EXPECT_NE(StatusOf(answer), 0) << answer;
    fd = ConnectFrom("127.0.0.2", server_->Port());
    std::string flags;
    for (int i = 0; i < 2000; ++i)
        flags += "a&";
    answer = Exchange(fd.Get(), GetRequest("/x?" + flags), 2s);
    EXPECT_EQ(StatusOf(answer), 414) << answer;
}

TEST_F(HttpRequestsTest, UrlJustOverTheLimitGets414AndHeadersOverIt431) {
    HttpLimits limits;
    limits.max_header_bytes = 2048;
    Start(limits);
    auto target = [](std::size_t size) { return "/rpc/RPC.Ping?x=" + std::string(size - 16, 'q'); };
    EXPECT_EQ(test::HttpGet(Url(target(1900)), 2s).status, 200);
    test::HttpResult reply = test::HttpGet(Url(target(2049)), 2s);
    EXPECT_EQ(reply.status, 414) << reply.error;
    EXPECT_EQ(reply.body, "Request URI too long");
    // Far over it, libmicrohttpd's buffer ends before the request line does.
    reply = test::HttpGet(Url(target(64 * 1024)), 2s);
    EXPECT_EQ(reply.status, 414) << reply.error;
    // Headers: a few big ones, or very many small ones.
    UniqueFd fd = ConnectFrom("127.0.0.2", server_->Port());
    std::string answer =
        Exchange(fd.Get(),
                 "GET /x HTTP/1.1\r\nHost: m\r\nX-Pad: " + std::string(2100, 'p') + "\r\n\r\n", 2s);
    EXPECT_EQ(StatusOf(answer), 431) << answer;
    EXPECT_NE(answer.find("\r\n\r\nRequest header too large"), std::string::npos) << answer;
    std::string headers;
    for (int i = 0; i < 600; ++i)
        headers += "a:\r\n";
    fd = ConnectFrom("127.0.0.2", server_->Port());
    answer = Exchange(fd.Get(), "GET /x HTTP/1.1\r\nHost: m\r\n" + headers + "\r\n", 2s);
    EXPECT_EQ(StatusOf(answer), 431) << answer;
}

} // namespace
} // namespace meteremu
