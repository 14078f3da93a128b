// SPDX-License-Identifier: MIT
// Which frontend and transport each passed socket goes to, by its FileDescriptorName=, on
// real sockets.
#include "daemon/daemon.hpp"
#include "daemon/passed_sockets.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>

namespace meteremu {
namespace {

using systemd::PassedSocket;
using systemd::PassedSockets;
using systemd::PassedSocketsInvalid;

PassedSocket Passed(std::string name, SocketKind kind) {
    return {std::move(name), kind == SocketKind::Stream, BindSocket(kind, "127.0.0.1", 0)};
}

std::uint16_t PortOf(const PassedSocket& socket) {
    return LocalPort(socket.fd.Get());
}

const std::vector<std::string> kTwo{"shelly", "shelly2"};

TEST(PassedSocketsTest, EachNamedSocketGoesToItsFrontendAndTransport) {
    PassedSockets passed;
    passed.sockets.push_back(Passed("shelly2", SocketKind::Datagram));
    passed.sockets.push_back(Passed("shelly", SocketKind::Stream));
    passed.sockets.push_back(Passed("shelly", SocketKind::Datagram));
    passed.sockets.push_back(Passed("shelly2", SocketKind::Stream));
    passed.sockets.push_back(Passed("shelly", SocketKind::Datagram));
    std::uint16_t ports[5];
    for (int i = 0; i < 5; ++i)
        ports[i] = PortOf(passed.sockets[i]);
    auto listeners = AssignPassedSockets(std::move(passed), kTwo);
    ASSERT_EQ(listeners.size(), 2u);
    EXPECT_EQ(LocalPort(listeners[0].http.Get()), ports[1]);
    ASSERT_EQ(listeners[0].udp.size(), 2u);
    EXPECT_EQ(LocalPort(listeners[0].udp[0].Get()), ports[2]);
    EXPECT_EQ(LocalPort(listeners[0].udp[1].Get()), ports[4]);
    EXPECT_EQ(LocalPort(listeners[1].http.Get()), ports[3]);
    ASSERT_EQ(listeners[1].udp.size(), 1u);
    EXPECT_EQ(LocalPort(listeners[1].udp[0].Get()), ports[0]);
}

TEST(PassedSocketsTest, UnnamedSocketsServeTheFirstFrontend) {
    for (const char* name : {"", "unknown", "meteremu.socket"}) {
        SCOPED_TRACE(name);
        PassedSockets passed;
        passed.sockets.push_back(Passed(name, SocketKind::Stream));
        passed.sockets.push_back(Passed(name, SocketKind::Datagram));
        auto listeners = AssignPassedSockets(std::move(passed), kTwo);
        EXPECT_TRUE(listeners[0].http.Valid());
        EXPECT_EQ(listeners[0].udp.size(), 1u);
        EXPECT_FALSE(listeners[1].http.Valid());
        EXPECT_TRUE(listeners[1].udp.empty());
    }
}

TEST(PassedSocketsTest, NothingPassedLeavesEveryFrontendToBindItsOwn) {
    auto listeners = AssignPassedSockets({}, kTwo);
    ASSERT_EQ(listeners.size(), 2u);
    for (const auto& own : listeners) {
        EXPECT_FALSE(own.http.Valid());
        EXPECT_TRUE(own.udp.empty());
    }
}

/// Expects AssignPassedSockets to refuse `passed` with `message`, and to close every socket.
void ExpectRefused(PassedSockets passed, const std::string& message) {
    std::vector<int> fds;
    for (const auto& socket : passed.sockets)
        fds.push_back(socket.fd.Get());
    try {
        AssignPassedSockets(std::move(passed), kTwo);
        ADD_FAILURE() << "accepted";
    } catch (const PassedSocketsInvalid& error) {
        EXPECT_NE(std::string(error.what()).find(message), std::string::npos) << error.what();
    }
    for (int fd : fds)
        EXPECT_EQ(fcntl(fd, F_GETFD), -1) << "fd " << fd << " left open";
}

TEST(PassedSocketsTest, ASocketNamedForNoFrontendIsAnError) {
    PassedSockets passed;
    passed.sockets.push_back(Passed("shelly", SocketKind::Stream));
    passed.sockets.push_back(Passed("marstek", SocketKind::Datagram));
    ExpectRefused(std::move(passed), "(\"marstek\") for a frontend that is not configured; "
                                     "FileDescriptorName= must name one of \"shelly\", "
                                     "\"shelly2\"");
}

TEST(PassedSocketsTest, TwoStreamsForOneFrontendAreAnError) {
    PassedSockets passed;
    passed.sockets.push_back(Passed("shelly2", SocketKind::Stream));
    passed.sockets.push_back(Passed("shelly", SocketKind::Stream));
    passed.sockets.push_back(Passed("shelly2", SocketKind::Stream));
    ExpectRefused(std::move(passed), "more than one listening TCP socket for frontend \"shelly2\"");
}

TEST(FrontendNameTest, TheTypeThenThePositionAmongThoseOfTheType) {
    Config config;
    for (auto [type, ordinal] :
         {std::pair{"shelly", 0u}, {"marstek", 0u}, {"shelly", 1u}, {"shelly", 2u}}) {
        FrontendSettings& frontend = config.frontends.emplace_back();
        frontend.type = type;
        frontend.ordinal = ordinal;
    }
    const char* expected[] = {"shelly", "marstek", "shelly2", "shelly3"};
    for (std::size_t i = 0; i < 4; ++i)
        EXPECT_EQ(Daemon::FrontendName(config, i), expected[i]) << i;
}

} // namespace
} // namespace meteremu
