// SPDX-License-Identifier: MIT
// The watchdog's probe against a real libmicrohttpd server, a socket that listens but never
// accepts (a hung server thread, as the kernel sees it), and a closed port.
#include "net/http_probe.hpp"
#include "net/http_server.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace meteremu {
namespace {

using namespace std::chrono_literals;

class Answering final : public HttpHandler {
public:
    HttpResponse Handle(const HttpRequest& request) noexcept override {
        ++requests;
        last_path = std::string(request.path);
        return {200, "{}", "application/json", {}};
    }
    std::atomic<int> requests{0};
    std::string last_path;
};

/// Answered() polled for up to 2 s: a loaded machine may take a moment.
bool EventuallyAnswered(HttpProbe& probe) {
    for (int i = 0; i < 40; ++i) {
        if (probe.Answered()) return true;
        std::this_thread::sleep_for(50ms);
    }
    return false;
}

TEST(HttpProbeTest, AServingServerAnswersAndIsNotCountedAsAClient) {
    Answering handler;
    ClientTracker clients;
    HttpServer server(BindSocket(SocketKind::Stream, "127.0.0.1", 0), handler, {}, &clients);
    HttpProbe probe(ReachableLocally(server.LocalAddress()), "/shelly");
    std::string error;
    for (int round = 1; round <= 3; ++round) {
        ASSERT_TRUE(probe.Send(error)) << error;
        EXPECT_TRUE(EventuallyAnswered(probe)) << "round " << round;
    }
    EXPECT_EQ(handler.requests, 3);
    EXPECT_EQ(handler.last_path, "/shelly");
    EXPECT_EQ(clients.Count(std::chrono::steady_clock::now()), 0u);
}

TEST(HttpProbeTest, AWildcardServerIsReachedOverLoopback) {
    Answering handler;
    HttpServer server(BindSocket(SocketKind::Stream, "", 0), handler);
    HttpProbe probe(ReachableLocally(server.LocalAddress()), "/");
    std::string error;
    ASSERT_TRUE(probe.Send(error)) << error;
    EXPECT_TRUE(EventuallyAnswered(probe));
}

TEST(HttpProbeTest, AServerThatNeverAcceptsIsNotAnswered) {
    // The kernel completes the connection into the backlog, but nothing reads the request.
    UniqueFd hung = BindSocket(SocketKind::Stream, "127.0.0.1", 0);
    HttpProbe probe(ReachableLocally(LocalAddress(hung.Get())), "/shelly");
    std::string error;
    ASSERT_TRUE(probe.Send(error)) << error;
    std::this_thread::sleep_for(300ms);
    EXPECT_FALSE(probe.Answered());
}

TEST(HttpProbeTest, AClosedPortFailsToSend) {
    SocketAddress address;
    {
        UniqueFd gone = BindSocket(SocketKind::Stream, "127.0.0.1", 0);
        address = LocalAddress(gone.Get());
    }
    HttpProbe probe({address}, "/");
    std::string error;
    EXPECT_FALSE(probe.Send(error));
    EXPECT_NE(error.find("connect"), std::string::npos) << error;
    EXPECT_FALSE(probe.Answered());
}

} // namespace
} // namespace meteremu
