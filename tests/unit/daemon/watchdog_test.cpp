// SPDX-License-Identifier: MIT
// The liveness check behind WATCHDOG=1: heartbeats and a probe to a real HTTP server.
#include "daemon/watchdog.hpp"
#include "net/http_server.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace meteremu {
namespace {

using namespace std::chrono_literals;

class Ok final : public HttpHandler {
public:
    HttpResponse Handle(const HttpRequest&) noexcept override {
        return {200, "{}", "application/json", {}};
    }
};

TEST(WatchdogTest, IntervalIsHalfTheTimeout) {
    EXPECT_EQ(Watchdog(30s).Interval(), 15s);
}

TEST(WatchdogTest, PingsOnlyWhileEveryHeartbeatTicks) {
    Heartbeat poller, udp;
    Watchdog watchdog(1s);
    watchdog.Watch("poller", poller);
    watchdog.Watch("udp", udp);
    std::vector<std::string> stalled;
    EXPECT_FALSE(watchdog.Check(stalled));
    EXPECT_EQ(stalled, (std::vector<std::string>{"poller", "udp"}));
    poller.Tick();
    udp.Tick();
    EXPECT_TRUE(watchdog.Check(stalled));
    EXPECT_TRUE(stalled.empty());
    udp.Tick(); // the poller hangs
    EXPECT_FALSE(watchdog.Check(stalled));
    EXPECT_EQ(stalled, std::vector<std::string>{"poller"});
}

TEST(WatchdogTest, AnHttpServerMustAnswerBetweenChecks) {
    Ok handler;
    auto server =
        std::make_unique<HttpServer>(BindSocket(SocketKind::Stream, "127.0.0.1", 0), handler);
    Watchdog watchdog(1s);
    watchdog.WatchHttp(HttpProbe(ReachableLocally(server->LocalAddress()), "/"));
    std::vector<std::string> stalled;
    for (int round = 0; round < 2; ++round) {
        std::this_thread::sleep_for(500ms);
        EXPECT_TRUE(watchdog.Check(stalled)) << (stalled.empty() ? "" : stalled[0]);
    }
    // Gone: the probe of the last check may have been answered just before; the next one
    // cannot even connect.
    server.reset();
    watchdog.Check(stalled);
    EXPECT_FALSE(watchdog.Check(stalled));
    ASSERT_EQ(stalled.size(), 1u);
    EXPECT_NE(stalled[0].find("HTTP server (probe request: connect"), std::string::npos)
        << stalled[0];
}

TEST(WatchdogTest, AServerThatStopsAnsweringStopsThePings) {
    // A listening socket nobody accepts from: what a hung server thread looks like.
    UniqueFd hung = BindSocket(SocketKind::Stream, "127.0.0.1", 0);
    Watchdog watchdog(1s);
    watchdog.WatchHttp(HttpProbe(ReachableLocally(LocalAddress(hung.Get())), "/"));
    std::this_thread::sleep_for(300ms);
    std::vector<std::string> stalled;
    EXPECT_FALSE(watchdog.Check(stalled));
    EXPECT_EQ(stalled, std::vector<std::string>{"HTTP server (no answer to the probe request)"});
}

} // namespace
} // namespace meteremu
