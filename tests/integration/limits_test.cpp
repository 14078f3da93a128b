// SPDX-License-Identifier: MIT
// The built daemon under connection floods and with the limit keys of its configuration.
// Floods are the slowloris kind: connections that trickle a request and never finish it.
// Floods come from 127.0.0.2 and up, which the daemon sees as distinct clients on the network
// (only 127.0.0.1 and ::1 count as the host itself); normal clients ask from 127.0.0.1, as a
// local client does, and from 127.0.0.200, as a battery on the LAN would.
#include "platform/resource_limits.hpp"
#include "support/daemon_process.hpp"
#include "support/http_client.hpp"
#include "support/proc_sockets.hpp"
#include "support/tcp_client.hpp"
#include "support/temp_dir.hpp"
#include "support/udp_client.hpp"
#include "support/websocket_client.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <fstream>
#include <poll.h>
#include <thread>

namespace meteremu::test {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kFlood = 1000;
constexpr const char* kEmStatus = "/rpc/EM.GetStatus?id=0";

/// The demo test configuration with `keys` added to [frontend]; every poll is answered, as
/// the normal clients here ask faster than the demo refreshes.
std::string ConfigWith(const std::string& keys) {
    return WithFrontendKeys(DemoTestConfig(), keys + "\n" + kAnswerEveryPoll);
}

std::string Source(int index) {
    return "127.0.0." + std::to_string(index);
}

struct Latencies {
    std::vector<double> ms;
    int failures = 0;

    double Percentile(double p) const {
        if (ms.empty()) return 1e9;
        std::vector<double> sorted = ms;
        std::sort(sorted.begin(), sorted.end());
        return sorted[std::min(sorted.size() - 1, static_cast<size_t>(p * sorted.size()))];
    }
};

class DaemonLimitsTest : public testing::Test {
protected:
    void SetUp() override {
        // Two thousand sockets between the test and the daemon: more than the usual 1024.
        if (RaiseOpenFileLimit(4 * kFlood) < 3 * kFlood)
            GTEST_SKIP() << "the open-file limit cannot be raised to " << 3 * kFlood;
    }

    void Start(const std::string& keys) {
        config_ = dir_.Write("meteremu.toml", ConfigWith(keys));
        daemon_ = StartDaemon(config_.string());
        // The demo publishes its first reading right after the start.
        auto deadline = Clock::now() + 5s;
        while (HttpGet(daemon_.Url(kEmStatus)).status != 200 && Clock::now() < deadline)
            std::this_thread::sleep_for(50ms);
    }

    /// `count` EM.GetStatus from `source`, each on a new connection, timed.
    Latencies Measure(const std::string& source, int count) {
        Latencies result;
        for (int i = 0; i < count; ++i) {
            auto start = Clock::now();
            HttpResult reply = HttpGet(daemon_.Url(kEmStatus), 2s, source);
            double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
            bool good = reply.status == 200 && reply.body.starts_with("{\"id\":0,\"a_current\":");
            if (good)
                result.ms.push_back(ms);
            else
                ++result.failures;
            std::this_thread::sleep_for(20ms);
        }
        return result;
    }

    void ExpectServedPromptly(const std::string& source, const Latencies& latencies) {
        std::printf("EM.GetStatus from %s during the flood: p50 %.2f ms, p90 %.2f ms, max %.2f "
                    "ms (%zu answers, %d failures)\n",
                    source.c_str(), latencies.Percentile(0.5), latencies.Percentile(0.9),
                    latencies.Percentile(1.0), latencies.ms.size(), latencies.failures);
        RecordProperty("p50_ms_" + source, std::to_string(latencies.Percentile(0.5)));
        RecordProperty("p90_ms_" + source, std::to_string(latencies.Percentile(0.9)));
        RecordProperty("max_ms_" + source, std::to_string(latencies.Percentile(1.0)));
        EXPECT_EQ(latencies.failures, 0) << source;
        // The goal is 10 ms, which nine in ten requests must meet (each on a new connection,
        // the client's connect included); code built with sanitizers runs several times
        // slower, so there the median must. On a loaded two-core machine a single request
        // may wait for a scheduler slot, so the worst is held to a looser bound.
#ifdef METEREMU_SANITIZED
        EXPECT_LE(latencies.Percentile(0.5), 10.0) << source;
#else
        EXPECT_LE(latencies.Percentile(0.9), 10.0) << source;
#endif
        EXPECT_LE(latencies.Percentile(1.0), 250.0) << source;
    }

    TempDir dir_;
    std::filesystem::path config_;
    RunningDaemon daemon_;
};

/// Connections the server has closed among `fds` (readable at end of file, or reset).
int ClosedCount(const std::vector<UniqueFd>& fds) {
    std::vector<pollfd> polled;
    for (const UniqueFd& fd : fds)
        polled.push_back({fd.Get(), POLLIN | POLLRDHUP, 0});
    poll(polled.data(), polled.size(), 0);
    int closed = 0;
    for (const pollfd& entry : polled)
        closed += (entry.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
    return closed;
}

/// The TCP connections the daemon has accepted and holds.
std::size_t HeldConnections(pid_t pid) {
    auto sockets = InetSockets(pid);
    return static_cast<std::size_t>(
        std::count_if(sockets.begin(), sockets.end(),
                      [](const auto& s) { return s.protocol.starts_with("tcp") && !s.listening; }));
}

/// Sends a header byte on every trickling connection every 500 ms until stopped.
class Trickler {
public:
    explicit Trickler(std::vector<int> fds)
        : thread_([fds = std::move(fds)](std::stop_token stop) {
              for (const int fd : fds)
                  SendAll(fd, "GET /shelly HTTP/1.1\r\nHost: meter\r\nX-Slow: ");
              while (!stop.stop_requested()) {
                  for (const int fd : fds)
                      SendAll(fd, "a");
                  std::this_thread::sleep_for(500ms);
              }
          }) {}

private:
    std::jthread thread_;
};

TEST_F(DaemonLimitsTest, ThousandIdleAndTricklingConnectionsLeaveNormalClientsServedIn10ms) {
    // Room for the whole flood, which comes from 63 addresses at most 16 connections each.
    Start("max_connections = 1100\nidle_timeout = 300");
    std::vector<UniqueFd> flood;
    std::vector<int> trickling;
    for (int i = 0; i < kFlood; ++i) {
        flood.push_back(ConnectFrom(Source(2 + i / 16), daemon_.http_port));
        if (i % 2) trickling.push_back(flood.back().Get());
    }
    Trickler trickler(trickling);
    std::this_thread::sleep_for(1s); // the daemon has accepted (or refused) every one by now
    ASSERT_EQ(ClosedCount(flood), 0) << "the daemon must hold all " << kFlood;
    // Accepted, not waiting in the listen backlog.
    EXPECT_GE(HeldConnections(daemon_.process->Pid()), static_cast<std::size_t>(kFlood));
    ExpectServedPromptly("127.0.0.1", Measure("127.0.0.1", 50));
    ExpectServedPromptly("127.0.0.200", Measure("127.0.0.200", 50));
    EXPECT_EQ(ClosedCount(flood), 0) << "the flood was held throughout";
}

TEST_F(DaemonLimitsTest, FloodBeyondThePerAddressLimitIsShedAndNormalClientsServedIn10ms) {
    Start(""); // the defaults: 16 connections per address, 256 in all
    std::vector<UniqueFd> flood;
    for (int i = 0; i < kFlood; ++i)
        flood.push_back(ConnectFrom(Source(2 + i % 10), daemon_.http_port));
    // Ten addresses keep 16 connections each; the daemon closes the other 840 at once.
    auto deadline = Clock::now() + 10s;
    while (ClosedCount(flood) < kFlood - 160 && Clock::now() < deadline)
        std::this_thread::sleep_for(100ms);
    EXPECT_EQ(ClosedCount(flood), kFlood - 160);
    std::vector<int> trickling;
    for (const UniqueFd& fd : flood)
        trickling.push_back(fd.Get());
    Trickler trickler(trickling);
    ExpectServedPromptly("127.0.0.1", Measure("127.0.0.1", 50));
    ExpectServedPromptly("127.0.0.200", Measure("127.0.0.200", 50));
}

/// Like Trickler, and each connection the daemon closes is opened again from its address at
/// the next round: an attacker that keeps as many connections as it can.
class ReconnectingTrickler {
public:
    ReconnectingTrickler(std::vector<std::string> sources, std::uint16_t port)
        : thread_([this, sources = std::move(sources), port](std::stop_token stop) {
              std::vector<UniqueFd> fds(sources.size());
              while (!stop.stop_requested()) {
                  for (std::size_t i = 0; i < fds.size(); ++i)
                      Trickle(fds[i], sources[i], port);
                  std::this_thread::sleep_for(500ms);
              }
          }) {}

    int Reconnections() const { return reconnections_; }

private:
    void Trickle(UniqueFd& fd, const std::string& source, std::uint16_t port) {
        pollfd polled{fd.Get(), POLLIN | POLLRDHUP, 0};
        bool closed = !fd.Valid() || (poll(&polled, 1, 0) == 1 && polled.revents != 0);
        if (!closed) {
            SendAll(fd.Get(), "a");
            return;
        }
        reconnections_ += fd.Valid();
        try {
            fd = ConnectFrom(source, port);
            SendAll(fd.Get(), "GET /shelly HTTP/1.1\r\nHost: meter\r\nX-Slow: ");
        } catch (const std::runtime_error&) {
            fd = UniqueFd();
        }
    }

    std::atomic<int> reconnections_ = 0;
    std::jthread thread_;
};

TEST_F(DaemonLimitsTest, ThousandTricklingConnectionsFromHundredAddressesLeaveABatteryIn) {
    Start(""); // the defaults: 256 connections, 16 per address, 30 s to send a request
    std::vector<std::string> sources;
    for (int i = 0; i < kFlood; ++i)
        sources.push_back(Source(2 + i / 10)); // 127.0.0.2 to 127.0.0.101, ten each
    ReconnectingTrickler flood(sources, daemon_.http_port);
    std::this_thread::sleep_for(2s); // every address has its ten opened (and reopened)
    // A battery at a new address: each poll displaces the connection waiting longest.
    Latencies battery = Measure("127.0.0.200", 50);
    std::printf("EM.GetStatus from 127.0.0.200 under 1000 trickling connections: p50 %.2f ms, "
                "max %.2f ms, %d failures; the flood reconnected %d times\n",
                battery.Percentile(0.5), battery.Percentile(1.0), battery.failures,
                flood.Reconnections());
    EXPECT_EQ(battery.failures, 0);
    EXPECT_GT(flood.Reconnections(), 0) << "the flood filled the server";
    EXPECT_LE(HeldConnections(daemon_.process->Pid()), 256u + 16u);
}

TEST_F(DaemonLimitsTest, ConfiguredLimitsReachEveryTransport) {
    Start("allow = [\"127.0.0.0/30\"]\nmax_websocket_clients = 1\nudp_reply_rate = 1\n"
          "max_body_bytes = 256\nidle_timeout = 1");
    std::uint16_t udp_port = daemon_.UdpPorts(2)[0];
    // The allow list: HTTP, WebSocket and UDP.
    EXPECT_EQ(HttpGet(daemon_.Url("/shelly"), 2s, "127.0.0.2").status, 200);
    EXPECT_EQ(HttpGet(daemon_.Url("/shelly"), 2s, "127.0.0.5").status, 0);
    EXPECT_THROW(WebSocketClient(daemon_.http_port, "/rpc", "127.0.0.5"), std::runtime_error);
    UdpClient stranger("127.0.0.5"), battery("127.0.0.2");
    const std::string poll = R"({"id":1,"method":"Shelly.GetDeviceInfo"})";
    ASSERT_TRUE(stranger.Send("127.0.0.1", udp_port, poll));
    EXPECT_FALSE(stranger.Receive(500ms));
    // udp_reply_rate = 1: one reply for a burst of five.
    for (int i = 0; i < 5; ++i)
        ASSERT_TRUE(battery.Send("127.0.0.1", udp_port, poll));
    int replies = 0;
    while (battery.Receive(500ms))
        ++replies;
    EXPECT_EQ(replies, 1);
    // max_websocket_clients = 1.
    WebSocketClient first(daemon_.http_port, "/rpc", "127.0.0.2");
    WebSocketClient second(daemon_.http_port, "/rpc", "127.0.0.3");
    auto refused = second.Read(2s);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->CloseCode(), websocket::close_code::kTryAgainLater);
    // max_body_bytes = 256.
    std::string body = R"({"id":1,"method":"RPC.Ping","pad":")" + std::string(300, 'p') + "\"}";
    EXPECT_EQ(HttpPost(daemon_.Url("/rpc"), body).status, 413);
    // idle_timeout = 1.
    UniqueFd idle = ConnectFrom("127.0.0.3", daemon_.http_port);
    EXPECT_TRUE(ClosedSilently(idle.Get(), 3s));
}

TEST_F(DaemonLimitsTest, ReloadAppliesTheAllowListAndWarnsAboutTheOtherLimits) {
    Start("allow = [\"127.0.0.2\"]");
    EXPECT_EQ(HttpGet(daemon_.Url("/shelly"), 2s, "127.0.0.2").status, 200);
    EXPECT_EQ(HttpGet(daemon_.Url("/shelly"), 2s, "127.0.0.3").status, 0);
    std::ofstream(config_) << ConfigWith("allow = [\"127.0.0.3\"]\nmax_connections = 10");
    ASSERT_EQ(kill(daemon_.process->Pid(), SIGHUP), 0);
    ASSERT_TRUE(daemon_.process->WaitForOutput("reloaded: emulating"));
    EXPECT_TRUE(daemon_.process->WaitForOutput("limits take effect at the next restart", 1s));
    EXPECT_EQ(HttpGet(daemon_.Url("/shelly"), 2s, "127.0.0.3").status, 200);
    EXPECT_EQ(HttpGet(daemon_.Url("/shelly"), 2s, "127.0.0.2").status, 0);
}

} // namespace
} // namespace meteremu::test
