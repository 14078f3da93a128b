// SPDX-License-Identifier: MIT
// Sorting the sockets systemd passes, on real sockets of every kind a socket unit can make.
#include "net/socket.hpp"
#include "platform/systemd.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace meteremu::systemd {
namespace {

UniqueFd Stream(bool listening) {
    if (listening) return BindSocket(SocketKind::Stream, "127.0.0.1", 0);
    return UniqueFd(socket(AF_INET, SOCK_STREAM, 0));
}

UniqueFd Datagram() {
    return BindSocket(SocketKind::Datagram, "127.0.0.1", 0);
}

UniqueFd UnixDatagram() {
    int pair[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_DGRAM, 0, pair), 0);
    close(pair[1]);
    return UniqueFd(pair[0]);
}

/// Moves `sockets` to consecutive descriptors, as systemd passes them from fd 3 on, and
/// returns the first one; ClassifySockets owns them from then on.
int Consecutive(std::vector<UniqueFd> sockets) {
    int first = fcntl(sockets[0].Get(), F_DUPFD, 200);
    for (std::size_t i = 0; i < sockets.size(); ++i) {
        int target = first + static_cast<int>(i);
        EXPECT_EQ(dup2(sockets[i].Get(), target), target);
    }
    return first;
}

std::vector<UniqueFd> List(UniqueFd a, UniqueFd b = {}, UniqueFd c = {}) {
    std::vector<UniqueFd> list;
    for (UniqueFd* fd : {&a, &b, &c})
        if (fd->Valid()) list.push_back(std::move(*fd));
    return list;
}

TEST(ClassifySocketsTest, EachSocketKeepsItsNameKindAndOrder) {
    auto udp_a = Datagram(), udp_b = Datagram();
    auto http = Stream(true);
    std::uint16_t ports[] = {LocalPort(udp_a.Get()), LocalPort(http.Get()), LocalPort(udp_b.Get())};
    int first = Consecutive(List(std::move(udp_a), std::move(http), std::move(udp_b)));
    PassedSockets passed = ClassifySockets(first, 3, {"shelly", "shelly", "shelly2"});
    ASSERT_EQ(passed.sockets.size(), 3u);
    const char* names[] = {"shelly", "shelly", "shelly2"};
    bool streams[] = {false, true, false};
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(passed.sockets[i].name, names[i]) << i;
        EXPECT_EQ(passed.sockets[i].stream, streams[i]) << i;
        EXPECT_EQ(LocalPort(passed.sockets[i].fd.Get()), ports[i]) << i;
    }
}

TEST(ClassifySocketsTest, TwoStreamsAndNoStreamAreTheDaemonsToJudge) {
    int first = Consecutive(List(Stream(true), Stream(true), Datagram()));
    PassedSockets passed = ClassifySockets(first, 3, {});
    ASSERT_EQ(passed.sockets.size(), 3u);
    EXPECT_EQ(passed.sockets[0].name, "");
    EXPECT_TRUE(passed.sockets[1].stream);
}

TEST(ClassifySocketsTest, NothingPassedIsEmpty) {
    EXPECT_TRUE(ClassifySockets(3, 0, {}).Empty());
}

TEST(ClassifySocketsTest, RefusesWhatItCannotServe) {
    struct Case {
        const char* what;
        std::vector<UniqueFd> sockets;
        std::string message;
    };
    Case cases[] = {
        {"unix", List(Stream(true), UnixDatagram()), "neither a listening TCP socket"},
        {"accepted", List(Stream(false)), "neither a listening TCP socket"},
    };
    for (auto& each : cases) {
        SCOPED_TRACE(each.what);
        int count = static_cast<int>(each.sockets.size());
        int first = Consecutive(std::move(each.sockets));
        try {
            ClassifySockets(first, count, {"http", "rpc", "other"});
            ADD_FAILURE() << "accepted";
        } catch (const PassedSocketsInvalid& error) {
            EXPECT_NE(std::string(error.what()).find(each.message), std::string::npos)
                << error.what();
        }
        // Owned and closed also when refused.
        for (int fd = first; fd < first + count; ++fd)
            EXPECT_EQ(fcntl(fd, F_GETFD), -1) << "fd " << fd << " left open";
    }
}

TEST(ClassifySocketsTest, NamesTheSocketItRefuses) {
    int first = Consecutive(List(Stream(true), UnixDatagram()));
    try {
        ClassifySockets(first, 2, {"web", "control"});
        ADD_FAILURE() << "accepted";
    } catch (const PassedSocketsInvalid& error) {
        EXPECT_NE(std::string(error.what())
                      .find("socket " + std::to_string(first + 1) + " (\"control\")"),
                  std::string::npos)
            << error.what();
    }
}

TEST(SystemdTest, StatusIsOneLine) {
    EXPECT_EQ(OneLine("grid +1.0 W\nREADY=1\r"), "grid +1.0 W READY=1 ");
}

TEST(SystemdTest, WatchdogOffWithoutWatchdogUsec) {
    unsetenv("WATCHDOG_USEC");
    EXPECT_EQ(WatchdogTimeout(), std::nullopt);
}

} // namespace
} // namespace meteremu::systemd
