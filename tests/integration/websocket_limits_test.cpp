// SPDX-License-Identifier: MIT
// The built daemon's WebSocket under clients that misbehave: one that stops reading, breaks
// the protocol and keeps sending; one whose address a reload takes off the allow list; one
// that says nothing at all. Clients come from 127.0.0.2 and up, which the daemon sees as
// distinct clients on the network (only 127.0.0.1 and ::1 count as the host itself).
#include "support/daemon_process.hpp"
#include "support/temp_dir.hpp"
#include "support/websocket_client.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <fstream>
#include <netinet/in.h>
#include <poll.h>
#include <sstream>
#include <sys/socket.h>
#include <thread>

namespace meteremu::test {
namespace {

using Clock = std::chrono::steady_clock;
using websocket::Opcode;
namespace close_code = websocket::close_code;

/// The demo test configuration with `keys` added to [frontend].
std::string ConfigWith(const std::string& keys) {
    std::string config = DemoTestConfig();
    config.insert(config.find("\n[backend]"), "\n" + keys + "\n");
    return config;
}

/// The resident memory of process `pid`, in KiB (VmRSS of /proc/PID/status); 0 if unknown.
long ResidentKib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);)
        if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
    return 0;
}

/// Bytes the kernel holds unsent on the TCP connection from local `port` to `peer_port`
/// (tx_queue of /proc/net/tcp): the daemon's side of a client's connection.
std::size_t SendQueue(std::uint16_t port, std::uint16_t peer_port) {
    std::ifstream table("/proc/net/tcp");
    std::string line;
    std::getline(table, line); // the header
    while (std::getline(table, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state, queues;
        fields >> slot >> local >> remote >> state >> queues;
        auto port_of = [](const std::string& address) {
            return static_cast<std::uint16_t>(
                std::stoul(address.substr(address.find(':') + 1), nullptr, 16));
        };
        if (port_of(local) == port && port_of(remote) == peer_port)
            return std::stoul(queues.substr(0, queues.find(':')), nullptr, 16);
    }
    return 0;
}

/// A WebSocket on /rpc from 127.0.0.2 whose receive buffer is as small as the kernel allows,
/// so that a client that stops reading fills its window with a few replies.
class NarrowWebSocket {
public:
    explicit NarrowWebSocket(std::uint16_t port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
        int small = 4096;
        setsockopt(fd_.Get(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small); // before connect
        sockaddr_in local{}, server{};
        local.sin_family = server.sin_family = AF_INET;
        inet_pton(AF_INET, "127.0.0.2", &local.sin_addr);
        server.sin_port = htons(port);
        server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(fd_.Get(), reinterpret_cast<sockaddr*>(&local), sizeof local) ||
            connect(fd_.Get(), reinterpret_cast<sockaddr*>(&server), sizeof server))
            throw std::runtime_error("cannot connect");
        Send("GET /rpc HTTP/1.1\r\nHost: meter\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        std::string response;
        char byte;
        // Byte by byte, so nothing after the handshake is read.
        while (!response.ends_with("\r\n\r\n") && recv(fd_.Get(), &byte, 1, 0) == 1)
            response += byte;
        if (!response.starts_with("HTTP/1.1 101 "))
            throw std::runtime_error("no upgrade: " + response);
        sockaddr_in bound{};
        socklen_t length = sizeof bound;
        getsockname(fd_.Get(), reinterpret_cast<sockaddr*>(&bound), &length);
        local_port_ = ntohs(bound.sin_port);
    }

    std::uint16_t LocalPort() const { return local_port_; }

    /// Sends `bytes`, waiting at most until `deadline` for room; false when the connection is
    /// broken or the time is up.
    bool Send(std::string_view bytes, Clock::time_point deadline = Clock::now() + 5s) {
        while (!bytes.empty()) {
            ssize_t sent = send(fd_.Get(), bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (sent > 0) {
                bytes.remove_prefix(static_cast<size_t>(sent));
                continue;
            }
            if (sent < 0 && errno != EAGAIN && errno != EINTR) return false;
            auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
            if (left.count() <= 0) return false;
            pollfd writable{fd_.Get(), POLLOUT, 0};
            poll(&writable, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 50)));
        }
        return true;
    }

private:
    UniqueFd fd_;
    std::uint16_t local_port_ = 0;
};

class DaemonWebSocketLimitsTest : public testing::Test {
protected:
    void Start(const std::string& keys) {
        config_ = dir_.Write("meteremu.toml", ConfigWith(keys));
        daemon_ = StartDaemon(config_.string());
    }

    void Reload(const std::string& keys) {
        std::ofstream(config_) << ConfigWith(keys);
        ASSERT_EQ(kill(daemon_.process->Pid(), SIGHUP), 0);
        ASSERT_TRUE(daemon_.process->WaitForOutput("reloaded: emulating"));
    }

    /// Whether `client` gets an answer to an RPC.Ping.
    static bool Answers(WebSocketClient& client) {
        client.SendText(R"({"id":9,"method":"RPC.Ping"})");
        for (int frames = 0; frames < 50; ++frames) { // pushes may come first
            auto frame = client.Read(2s);
            if (!frame) return false;
            if (frame->opcode == Opcode::Text && frame->payload.starts_with(R"({"id":9,)"))
                return true;
        }
        return false;
    }

    /// The close frame `client` gets within `timeout`, skipping pushes; nullopt if none.
    static std::optional<ServerFrame> CloseFrame(WebSocketClient& client,
                                                 std::chrono::milliseconds timeout) {
        auto deadline = Clock::now() + timeout;
        while (Clock::now() < deadline) {
            auto frame = client.Read(std::chrono::ceil<std::chrono::milliseconds>(
                std::max<Clock::duration>(deadline - Clock::now(), 1ms)));
            if (!frame) return std::nullopt;
            if (frame->opcode == Opcode::Close) return frame;
        }
        return std::nullopt;
    }

    TempDir dir_;
    std::filesystem::path config_;
    RunningDaemon daemon_;
};

TEST_F(DaemonWebSocketLimitsTest, ProtocolErrorBehindAFullWindowBuffersNothing) {
    Start("");
    NarrowWebSocket client(daemon_.http_port);
    // Requests whose replies the client never reads, until the daemon's kernel send queue stops
    // growing (the kernel lets it grow to net.ipv4.tcp_wmem's maximum, 4 MiB by default): the
    // window is full and replies wait in the daemon, where a close frame would wait too. The
    // batches past that stay far below max_unsent_bytes (1 MiB).
    const std::string request =
        ClientFrame(Opcode::Text, R"({"id":1,"method":"Shelly.GetStatus"})");
    std::string batch;
    for (int i = 0; i < 40; ++i)
        batch += request;
    std::size_t queued = 0;
    int unchanged = 0;
    for (int round = 0; round < 400 && unchanged < 3; ++round) {
        ASSERT_TRUE(client.Send(batch));
        std::this_thread::sleep_for(30ms);
        std::size_t now = SendQueue(daemon_.http_port, client.LocalPort());
        unchanged = now > 0 && now == queued ? unchanged + 1 : 0;
        queued = now;
    }
    ASSERT_EQ(unchanged, 3) << "the daemon's send queue never filled; last " << queued;
    std::this_thread::sleep_for(100ms);
    long before = ResidentKib(daemon_.process->Pid());
    ASSERT_GT(before, 0);
    // An unmasked frame breaks the protocol; then 1.5 s of bytes as fast as they go.
    ASSERT_TRUE(client.Send(ClientFrame(Opcode::Text, "x", true, false)));
    const std::string garbage(64 * 1024, 'g');
    long peak = before;
    std::size_t sent = 0;
    auto end = Clock::now() + 1500ms;
    for (int i = 0; i < 100000 && Clock::now() < end; ++i) {
        if (client.Send(garbage, std::min(end, Clock::now() + 50ms))) sent += garbage.size();
        peak = std::max(peak, ResidentKib(daemon_.process->Pid()));
    }
    peak = std::max(peak, ResidentKib(daemon_.process->Pid()));
    std::printf("daemon VmRSS %ld KiB before, %ld KiB at most after %zu MiB of bytes past a "
                "protocol error\n",
                before, peak, sent >> 20);
    RecordProperty("rss_growth_kib", std::to_string(peak - before));
    // Buffering the bytes would grow by hundreds of MiB. AddressSanitizer keeps freed blocks
    // in its quarantine (resident) for a while, so there a little more growth is its own.
#ifdef METEREMU_SANITIZED
    EXPECT_LT(peak - before, 4096) << "KiB of growth";
#else
    EXPECT_LT(peak - before, 1024) << "KiB of growth";
#endif
}

TEST_F(DaemonWebSocketLimitsTest, ReloadClosesWebSocketsTheNewAllowListRefuses) {
    Start(R"(allow = ["127.0.0.2", "127.0.0.3"])");
    WebSocketClient dropped(daemon_.http_port, "/rpc", "127.0.0.2");
    WebSocketClient kept(daemon_.http_port, "/rpc", "127.0.0.3");
    ASSERT_TRUE(Answers(dropped));
    ASSERT_TRUE(Answers(kept));
    Reload(R"(allow = ["127.0.0.3"])");
    auto close = CloseFrame(dropped, 2s);
    ASSERT_TRUE(close) << "no close frame for a client the allow list no longer has";
    EXPECT_EQ(close->CloseCode(), close_code::kPolicyViolation);
    EXPECT_TRUE(dropped.ClosedByServer(3s));
    EXPECT_TRUE(Answers(kept)) << "a client still allowed was disturbed";
    EXPECT_THROW(WebSocketClient(daemon_.http_port, "/rpc", "127.0.0.2"), std::runtime_error);
}

TEST_F(DaemonWebSocketLimitsTest, SilentWebSocketIsClosedAfterTheIdleLimit) {
    Start("websocket_idle_timeout = 1.5");
    WebSocketClient silent(daemon_.http_port, "/rpc", "127.0.0.2");
    WebSocketClient pinging(daemon_.http_port, "/rpc", "127.0.0.3");
    // The silent one subscribes (it has a src): pushes to it do not count as activity.
    auto opened = Clock::now();
    silent.SendText(R"({"id":1,"src":"listener","method":"Shelly.GetStatus"})");
    std::jthread pinger([&pinging](std::stop_token stop) {
        for (int i = 0; i < 40 && !stop.stop_requested(); ++i) {
            pinging.SendRaw(ClientFrame(Opcode::Ping, "hi"));
            std::this_thread::sleep_for(250ms);
        }
    });
    auto close = CloseFrame(silent, 5s);
    auto waited = Clock::now() - opened;
    ASSERT_TRUE(close) << "a silent client was not closed";
    EXPECT_EQ(close->CloseCode(), close_code::kNormal);
    EXPECT_GE(waited, 1400ms);
    EXPECT_LE(waited, 3s);
    EXPECT_TRUE(silent.ClosedByServer(3s));
    pinger.request_stop();
    pinger.join();
    // The one that pinged is still served, past the limit since it opened.
    EXPECT_TRUE(Answers(pinging));
}

TEST_F(DaemonWebSocketLimitsTest, NoIdleLimitWithZero) {
    Start("websocket_idle_timeout = 0");
    WebSocketClient silent(daemon_.http_port, "/rpc", "127.0.0.2");
    EXPECT_FALSE(CloseFrame(silent, 1500ms));
    EXPECT_TRUE(Answers(silent));
}

} // namespace
} // namespace meteremu::test
