// SPDX-License-Identifier: MIT
// Socket activation with systemd's own launcher, systemd-socket-activate. One call of it
// passes sockets of one type only (-d/--datagram applies to every -l), but it passes on the
// sockets it was given itself, so two chained calls hand the daemon what meteremu.socket
// does: two UDP sockets (fds 3 and 4) and one TCP listener (fd 5). Without --accept the
// launcher waits for traffic before it execs, so the test's first UDP request starts the
// chain and stays queued for the daemon.
#include "net/socket.hpp"
#include "support/daemon_process.hpp"
#include "support/http_client.hpp"
#include "support/notify_socket.hpp"
#include "support/proc_sockets.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <arpa/inet.h>
#include <csignal>
#include <filesystem>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>

namespace meteremu::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kLauncher = "/usr/bin/systemd-socket-activate";
constexpr std::string_view kUdpRequest = R"({"id":1,"method":"EM.GetStatus","params":{"id":0}})";

/// A port that was free a moment ago (the launcher needs a number; it cannot bind port 0).
std::uint16_t FreePort(SocketKind kind) {
    UniqueFd probe = BindSocket(kind, "127.0.0.1", 0);
    return LocalPort(probe.Get());
}

std::string Listen(std::uint16_t port) {
    return "127.0.0.1:" + std::to_string(port);
}

/// A UDP client socket on loopback that sends to `port` and reads replies.
class UdpClient {
public:
    UdpClient() : fd_(BindSocket(SocketKind::Datagram, "127.0.0.1", 0)) {}

    void Send(std::uint16_t port, std::string_view payload) {
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(port);
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ASSERT_EQ(sendto(fd_.Get(), payload.data(), payload.size(), 0,
                         reinterpret_cast<sockaddr*>(&to), sizeof to),
                  static_cast<ssize_t>(payload.size()));
    }

    /// The next datagram and the port it came from.
    std::optional<std::pair<std::string, std::uint16_t>>
    Receive(std::chrono::milliseconds timeout) {
        pollfd ready{fd_.Get(), POLLIN, 0};
        if (poll(&ready, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
        char buffer[2048];
        sockaddr_in from{};
        socklen_t length = sizeof from;
        ssize_t n = recvfrom(fd_.Get(), buffer, sizeof buffer, 0,
                             reinterpret_cast<sockaddr*>(&from), &length);
        if (n <= 0) return std::nullopt;
        return std::pair{std::string(buffer, static_cast<std::size_t>(n)), ntohs(from.sin_port)};
    }

private:
    UniqueFd fd_;
};

class SocketActivationTest : public testing::Test {
protected:
    void SetUp() override {
        if (!std::filesystem::exists(kLauncher))
            GTEST_SKIP() << kLauncher << " is missing (Debian package systemd)";
        // The daemon's own ports would be ephemeral ones if it bound any, so they can be told
        // apart from the passed ones.
        config_ = dir_.Write("meteremu.toml", DemoTestConfig());
        notify_ = std::make_unique<NotifySocket>(dir_.Path() / "notify");
    }

    /// Starts the chain on fresh ports; false when a port was taken in the meantime.
    bool Launch() {
        udp_ports_ = {FreePort(SocketKind::Datagram), FreePort(SocketKind::Datagram)};
        http_port_ = FreePort(SocketKind::Stream);
        launcher_ = std::make_unique<ChildProcess>(
            std::vector<std::string>{kLauncher, "--datagram", "-l", Listen(udp_ports_[0]), "-l",
                                     Listen(udp_ports_[1]), "-E", "NOTIFY_SOCKET", "--", kLauncher,
                                     "-l", Listen(http_port_), "-E", "NOTIFY_SOCKET", "--",
                                     METEREMU_BINARY, "--config", config_.string()},
            std::vector<std::string>{notify_->Environment()});
        return launcher_->WaitForOutput("Listening on [^\\n]* as 4\\.", 5s).has_value();
    }

    TempDir dir_;
    std::filesystem::path config_;
    std::unique_ptr<NotifySocket> notify_;
    std::unique_ptr<ChildProcess> launcher_;
    std::vector<std::uint16_t> udp_ports_;
    std::uint16_t http_port_ = 0;
};

TEST_F(SocketActivationTest, ServesOnThePassedSocketsAndBindsNothingItself) {
    bool launched = false;
    for (int attempt = 0; attempt < 3 && !launched; ++attempt)
        launched = Launch();
    ASSERT_TRUE(launched) << launcher_->Stderr();
    pid_t pid = launcher_->Pid(); // exec keeps it: launcher, launcher, then meteremu
    auto passed_udp = InetSockets(pid);
    ASSERT_EQ(passed_udp.size(), 2u);

    UdpClient trigger; // its request starts the chain and stays queued for the daemon
    trigger.Send(udp_ports_[0], kUdpRequest);
    ASSERT_TRUE(
        launcher_->WaitForOutput("serving HTTP on 127\\.0\\.0\\.1:" + std::to_string(http_port_)))
        << launcher_->Stderr();
    ASSERT_TRUE(notify_->WaitFor("READY=1")) << "NOTIFY_SOCKET did not get through the launchers";
    EXPECT_NE(launcher_->Stderr().find("using the sockets systemd passed"), std::string::npos);

    // Exactly the three passed sockets, as fds 3, 4 and 5; nothing bound by the daemon.
    auto sockets = InetSockets(pid);
    std::erase_if(
        sockets, [](const InetSocket& s) { return s.protocol.starts_with("tcp") && !s.listening; });
    std::sort(sockets.begin(), sockets.end(),
              [](const InetSocket& a, const InetSocket& b) { return a.fd < b.fd; });
    ASSERT_EQ(sockets.size(), 3u) << launcher_->Stderr();
    for (int i = 0; i < 2; ++i) {
        EXPECT_EQ(sockets[i].fd, 3 + i);
        EXPECT_EQ(sockets[i].protocol, "udp");
        EXPECT_EQ(sockets[i].port, udp_ports_[i]);
        EXPECT_EQ(sockets[i].inode, passed_udp[i].inode) << "not the socket the launcher bound";
    }
    EXPECT_EQ(sockets[2].fd, 5);
    EXPECT_TRUE(sockets[2].listening);
    EXPECT_EQ(sockets[2].port, http_port_);

    auto device = HttpGet("http://" + Listen(http_port_) + "/shelly");
    EXPECT_EQ(device.status, 200) << device.error;
    EXPECT_NE(device.body.find("shellypro3em-02005e102030"), std::string::npos);

    // The UDP server serves the passed sockets: each port answers from itself.
    std::this_thread::sleep_for(300ms); // the first reading
    UdpClient client;
    std::vector<std::uint16_t> answered;
    for (std::uint16_t port : udp_ports_) {
        client.Send(port, kUdpRequest);
        auto reply = client.Receive(3s);
        ASSERT_TRUE(reply) << "no UDP reply from port " << port;
        EXPECT_NE(reply->first.find("\"total_act_power\":"), std::string::npos) << reply->first;
        answered.push_back(reply->second);
    }
    EXPECT_EQ(answered, udp_ports_) << "each reply comes from the socket asked";
    EXPECT_EQ(launcher_->Stop(SIGTERM), 0);
}

TEST_F(SocketActivationTest, RefusesTwoTcpListeners) {
    std::uint16_t first = FreePort(SocketKind::Stream), second = FreePort(SocketKind::Stream);
    ChildProcess launcher({kLauncher, "-l", Listen(first), "-l", Listen(second), "--",
                           METEREMU_BINARY, "--config", config_.string()});
    ASSERT_TRUE(launcher.WaitForOutput("Listening on [^\\n]* as 4\\.", 5s)) << launcher.Stderr();
    UniqueFd connection(socket(AF_INET, SOCK_STREAM, 0)); // starts the daemon
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(first);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(connection.Get(), reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
    auto status = launcher.WaitForExit(10s);
    ASSERT_TRUE(status) << launcher.Stderr();
    EXPECT_EQ(*status, 1);
    EXPECT_NE(launcher.Stderr().find("more than one listening TCP socket"), std::string::npos)
        << launcher.Stderr();
}

/// Connects to 127.0.0.1:`port`, which starts the daemon behind a launcher without --accept.
UniqueFd Knock(std::uint16_t port) {
    UniqueFd connection(socket(AF_INET, SOCK_STREAM, 0));
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(connect(connection.Get(), reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
    return connection;
}

TEST_F(SocketActivationTest, RefusesASocketNamedForNoFrontend) {
    std::uint16_t port = FreePort(SocketKind::Stream);
    ChildProcess launcher({kLauncher, "-l", Listen(port), "--fdname=marstek", "--", METEREMU_BINARY,
                           "--config", config_.string()});
    ASSERT_TRUE(launcher.WaitForOutput("Listening on [^\\n]* as 3\\.", 5s)) << launcher.Stderr();
    UniqueFd connection = Knock(port);
    auto status = launcher.WaitForExit(10s);
    ASSERT_TRUE(status) << launcher.Stderr();
    EXPECT_EQ(*status, 1);
    EXPECT_NE(launcher.Stderr().find("(\"marstek\") for a frontend that is not configured"),
              std::string::npos)
        << launcher.Stderr();
}

TEST_F(SocketActivationTest, ANamedSocketServesItsFrontendTheOtherBindsItsOwn) {
    std::string frontend = "listen_address = \"127.0.0.1\"\nhttp_port = 0\nudp_ports = []\n"
                           "mdns = false\n";
    auto config = dir_.Write("two.toml", "[[frontend]]\nmac = \"02:00:5E:10:20:41\"\n" + frontend +
                                             "[[frontend]]\nmac = \"02:00:5E:10:20:42\"\n" +
                                             frontend + "[backend]\ntype = \"demo\"\n");
    std::uint16_t port = FreePort(SocketKind::Stream);
    ChildProcess launcher({kLauncher, "-l", Listen(port), "--fdname=shelly2", "--", METEREMU_BINARY,
                           "--config", config.string()});
    ASSERT_TRUE(launcher.WaitForOutput("Listening on [^\\n]* as 3\\.", 5s)) << launcher.Stderr();
    Knock(port);
    ASSERT_TRUE(
        launcher.WaitForOutput("shelly2: serving HTTP on 127\\.0\\.0\\.1:" + std::to_string(port)))
        << launcher.Stderr();
    auto first = launcher.WaitForOutput(R"(shelly: serving HTTP on 127\.0\.0\.1:(\d+))");
    ASSERT_TRUE(first) << launcher.Stderr();
    EXPECT_NE(std::stoi((*first)[1]), port);
    auto second = HttpGet("http://" + Listen(port) + "/shelly");
    EXPECT_NE(second.body.find("\"id\":\"shellypro3em-02005e102042\""), std::string::npos)
        << second.body;
    auto own = HttpGet("http://127.0.0.1:" + (*first)[1] + "/shelly");
    EXPECT_NE(own.body.find("\"id\":\"shellypro3em-02005e102041\""), std::string::npos) << own.body;
    EXPECT_EQ(launcher.Stop(SIGTERM), 0);
}

} // namespace
} // namespace meteremu::test
