// SPDX-License-Identifier: MIT
// The HTTP server under many kept-alive clients at once, on a real libmicrohttpd server and
// raw sockets: a burst of clients that all send at the same moment must all be served, and
// the server must serve the next client afterwards (libmicrohttpd 0.9.75's epoll loop stopped
// serving in exactly this case; the benchmark found it).
#include "net/http_server.hpp"
#include "support/http_client.hpp"
#include "support/tcp_client.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <netinet/in.h>
#include <poll.h>
#include <string_view>
#include <unistd.h>

namespace meteremu {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kRequest = "GET /status HTTP/1.1\r\nHost: test\r\n\r\n";

class FixedHandler final : public HttpHandler {
public:
    HttpResponse Handle(const HttpRequest&) noexcept override {
        return {200, "{\"ok\":true}", "application/json", {}};
    }
};

UniqueFd Connect(std::uint16_t port) {
    UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd.Get(), reinterpret_cast<sockaddr*>(&address), sizeof address)) return {};
    return fd;
}

/// Each client sends a request, and another as soon as its reply came, `rounds` times; all
/// at once. Returns how many replies arrived before `deadline` (a reply per read: the
/// requests are small and sequential on each connection).
int KeptAliveBurst(std::uint16_t port, int clients, int rounds, Clock::time_point deadline) {
    std::vector<UniqueFd> sockets;
    std::vector<pollfd> fds;
    std::vector<int> left(static_cast<size_t>(clients), rounds);
    for (int i = 0; i < clients; ++i) {
        sockets.push_back(Connect(port));
        if (!sockets.back().Valid()) return -1;
        fds.push_back({sockets.back().Get(), POLLIN, 0});
    }
    for (const UniqueFd& fd : sockets)
        send(fd.Get(), kRequest.data(), kRequest.size(), MSG_NOSIGNAL);
    int replies = 0;
    char buffer[4096];
    while (replies < clients * rounds && Clock::now() < deadline) {
        if (poll(fds.data(), fds.size(), 100) <= 0) continue;
        for (size_t i = 0; i < fds.size(); ++i) {
            if (!(fds[i].revents & POLLIN) || recv(fds[i].fd, buffer, sizeof buffer, 0) <= 0)
                continue;
            ++replies;
            if (--left[i] > 0)
                send(fds[i].fd, kRequest.data(), kRequest.size(), MSG_NOSIGNAL);
            else
                fds[i].events = 0;
        }
    }
    return replies;
}

TEST(HttpServerTest, ServesABurstOfKeptAliveClientsAndTheNextOne) {
    FixedHandler handler;
    HttpServer server(BindSocket(SocketKind::Stream, "127.0.0.1", 0), handler);
    EXPECT_TRUE(server.Describe().starts_with(std::to_string(HttpThreadsForCores()) + " thread"))
        << server.Describe();
    const int clients = static_cast<int>(HttpLimits{}.max_connections) - 6;
    EXPECT_EQ(KeptAliveBurst(server.Port(), clients, 20, Clock::now() + 20s), clients * 20);
    EXPECT_EQ(KeptAliveBurst(server.Port(), 4, 5, Clock::now() + 10s), 20);
}

TEST(HttpServerTest, ThreadsFollowTheCores) {
    unsigned threads = HttpThreadsForCores();
    EXPECT_GE(threads, 1u);
    EXPECT_LE(threads, 4u);
    FixedHandler handler;
    HttpLimits one_thread;
    one_thread.threads = 1;
    HttpServer server(BindSocket(SocketKind::Stream, "127.0.0.1", 0), handler, one_thread);
    EXPECT_EQ(server.Describe(), "1 thread, 296 connections, 24576 bytes each, 30 s timeout");
    EXPECT_EQ(KeptAliveBurst(server.Port(), 8, 5, Clock::now() + 10s), 40);
}

TEST(HttpServerTest, LeavesTheListeningSocketListeningForTheNextStart) {
    // systemd keeps a copy of the socket it passed and hands it to the next start.
    UniqueFd listening = BindSocket(SocketKind::Stream, "127.0.0.1", 0);
    UniqueFd systemds_copy(dup(listening.Get()));
    FixedHandler handler;
    {
        HttpServer server(std::move(listening), handler);
        EXPECT_EQ(KeptAliveBurst(server.Port(), 2, 2, Clock::now() + 10s), 4);
    }
    int accepting = 0;
    socklen_t length = sizeof accepting;
    ASSERT_EQ(getsockopt(systemds_copy.Get(), SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length), 0);
    EXPECT_EQ(accepting, 1) << "the server shut the socket down";
    HttpServer next(std::move(systemds_copy), handler);
    EXPECT_EQ(KeptAliveBurst(next.Port(), 2, 2, Clock::now() + 10s), 4);
}

// Named before main(): the process's table of method names may be full by the time this test
// runs (tests/unit/net/request_label_test.cpp fills it).
const MethodId kTestGet = MethodIdOf("Test.Get");
const MethodId kTestBusy = MethodIdOf("Test.Busy");

/// "/busy": 503, no reading may be served (withheld); anything else: a reply kept under a
/// fixed epoch, so the same request is answered again from the server's cache.
class LabellingHandler final : public HttpHandler {
public:
    HttpResponse Handle(const HttpRequest& request) noexcept override {
        ++calls;
        if (request.path == "/busy") {
            HttpResponse busy{503, "{\"error\":\"no reading\"}", "application/json", {}};
            busy.label = {kTestBusy, RequestOutcome::Withheld};
            return busy;
        }
        HttpResponse response{200, "{\"ok\":true}", "application/json", {}};
        response.reusable = true;
        response.label = {kTestGet, RequestOutcome::Answered};
        return response;
    }
    ReplyEpoch Epoch() noexcept override { return {1, 1, 0}; }

    std::atomic<int> calls = 0;
};

std::uint64_t Bit(MethodId method) {
    return std::uint64_t{1} << method;
}

std::uint32_t Outcomes(const ClientInfo& client, RequestOutcome outcome) {
    return client.outcomes[static_cast<std::size_t>(outcome)];
}

std::uint64_t CountOf(const ClientTracker& clients, MethodId method, RequestOutcome outcome) {
    std::uint64_t total = 0;
    for (const RequestCount& count : clients.RequestCounts())
        if (count.transport == ClientTransport::Http && count.method == method &&
            count.outcome == outcome)
            total += count.count;
    return total;
}

TEST(HttpServerTest, NotesEachRequestWithItsLabelAlsoWhenAnsweredFromTheCache) {
    ASSERT_NE(kTestGet, kTestBusy);
    LabellingHandler handler;
    ClientTracker clients;
    HttpServer server(BindSocket(SocketKind::Stream, "127.0.0.1", 0), handler, {}, &clients);
    const std::string url = "http://127.0.0.1:" + std::to_string(server.Port());
    for (int i = 0; i < 2; ++i) {
        test::HttpResult reply = test::HttpGet(url + "/rpc/Test.Get", 5s, "127.0.0.2");
        EXPECT_EQ(reply.status, 200) << reply.error;
        EXPECT_EQ(reply.body, "{\"ok\":true}");
    }
    EXPECT_EQ(handler.calls, 1) << "the second was answered from the cache";
    // The tracker's note is made before the reply is queued: it is there once the reply came.
    auto recent = clients.Recent(std::chrono::steady_clock::now(), Seconds{60});
    ASSERT_EQ(recent.size(), 1u);
    EXPECT_EQ(recent[0].address.ToString(), "127.0.0.2");
    EXPECT_EQ(recent[0].via.transport, ClientTransport::Http);
    EXPECT_EQ(recent[0].via.port, server.Port());
    EXPECT_EQ(recent[0].polls, 2u);
    EXPECT_EQ(recent[0].methods, Bit(kTestGet));
    EXPECT_EQ(Outcomes(recent[0], RequestOutcome::Answered), 2u);
    EXPECT_EQ(CountOf(clients, kTestGet, RequestOutcome::Answered), 2u);
}

TEST(HttpServerTest, NotesA503WithoutAReadingAsWithheld) {
    LabellingHandler handler;
    ClientTracker clients;
    HttpServer server(BindSocket(SocketKind::Stream, "127.0.0.1", 0), handler, {}, &clients);
    const std::string url = "http://127.0.0.1:" + std::to_string(server.Port());
    EXPECT_EQ(test::HttpGet(url + "/busy", 5s, "127.0.0.3").status, 503);
    EXPECT_EQ(test::HttpGet(url + "/rpc/Test.Get", 5s, "127.0.0.3").status, 200);
    auto recent = clients.Recent(std::chrono::steady_clock::now(), Seconds{60});
    ASSERT_EQ(recent.size(), 1u);
    EXPECT_EQ(recent[0].methods, Bit(kTestBusy) | Bit(kTestGet));
    EXPECT_EQ(Outcomes(recent[0], RequestOutcome::Withheld), 1u);
    EXPECT_EQ(Outcomes(recent[0], RequestOutcome::Answered), 1u);
    EXPECT_EQ(CountOf(clients, kTestBusy, RequestOutcome::Withheld), 1u);
    EXPECT_EQ(CountOf(clients, kTestBusy, RequestOutcome::Answered), 0u);
}

TEST(HttpServerTest, NotesAConnectionTheAllowListRefusesAsRefusedWithNoMethod) {
    FixedHandler handler;
    ClientTracker clients;
    std::string error;
    ClientFilter filter(AllowList({IpNetwork::Parse("127.0.0.2/32", error).value()}));
    HttpServer server(BindSocket(SocketKind::Stream, "127.0.0.1", 0), handler, {}, &clients,
                      &filter);
    UniqueFd refused = test::ConnectFrom("127.0.0.3", server.Port());
    EXPECT_TRUE(test::ClosedSilently(refused.Get(), 5s));
    auto recent = clients.Recent(std::chrono::steady_clock::now(), Seconds{60});
    ASSERT_EQ(recent.size(), 1u);
    EXPECT_EQ(recent[0].address.ToString(), "127.0.0.3");
    EXPECT_EQ(recent[0].methods, Bit(kUnreadMethod));
    EXPECT_EQ(Outcomes(recent[0], RequestOutcome::Refused), 1u);
    EXPECT_EQ(CountOf(clients, kUnreadMethod, RequestOutcome::Refused), 1u);
    EXPECT_EQ(server.Connections().not_allowed, 1u);
}

} // namespace
} // namespace meteremu
