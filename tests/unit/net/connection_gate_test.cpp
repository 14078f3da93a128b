// SPDX-License-Identifier: MIT
// The connection gate's count at the moment a connection opens: libmicrohttpd's threads each
// accept on their own and may both admit an address's last free place, so the connection
// that goes past a limit is shut down when it is counted. Sockets from socketpair() stand in
// for accepted connections: the peer end sees the shutdown as end of file.
#include "net/connection_gate.hpp"
#include "net/socket.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <vector>

namespace meteremu {
namespace {

sockaddr_in Peer(const char* address) {
    sockaddr_in peer{};
    peer.sin_family = AF_INET;
    peer.sin_port = htons(40000);
    inet_pton(AF_INET, address, &peer.sin_addr);
    return peer;
}

struct FakeConnection {
    UniqueFd server; ///< the accepted socket the gate is given
    UniqueFd client; ///< its peer, which sees a shutdown
    ConnectionGate::Entry* entry = nullptr;

    bool ShutDown() const {
        pollfd polled{client.Get(), POLLIN | POLLRDHUP, 0};
        return poll(&polled, 1, 0) == 1 && (polled.revents & (POLLRDHUP | POLLHUP)) != 0;
    }
};

FakeConnection Open(ConnectionGate& gate, const char* address) {
    int fds[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    FakeConnection connection{UniqueFd(fds[0]), UniqueFd(fds[1])};
    sockaddr_in peer = Peer(address);
    connection.entry = gate.Opened(reinterpret_cast<const sockaddr*>(&peer), fds[0]);
    return connection;
}

TEST(ConnectionGateTest, ConnectionPastTheLimitPerAddressIsShutDownWhenCounted) {
    ConnectionGate gate({.max_connections = 100, .max_per_address = 3}, nullptr, std::nullopt);
    std::vector<FakeConnection> connections;
    for (int i = 0; i < 4; ++i)
        connections.push_back(Open(gate, "192.0.2.7"));
    for (int i = 0; i < 3; ++i)
        EXPECT_FALSE(connections[static_cast<size_t>(i)].ShutDown()) << i;
    EXPECT_TRUE(connections[3].ShutDown());
    // Another address still has its own places.
    EXPECT_FALSE(Open(gate, "192.0.2.8").ShutDown());
    for (auto& connection : connections)
        gate.Closed(connection.entry);
}

TEST(ConnectionGateTest, ConnectionPastTheServerLimitIsShutDownButTheHostItselfIsNot) {
    ConnectionGate gate({.max_connections = 2, .max_per_address = 16}, nullptr, std::nullopt);
    std::vector<FakeConnection> connections;
    for (const char* address : {"192.0.2.1", "192.0.2.2", "192.0.2.3", "127.0.0.1"})
        connections.push_back(Open(gate, address));
    EXPECT_FALSE(connections[0].ShutDown());
    EXPECT_FALSE(connections[1].ShutDown());
    EXPECT_TRUE(connections[2].ShutDown());
    EXPECT_FALSE(connections[3].ShutDown()) << "the host's own connections are exempt";
    for (auto& connection : connections)
        gate.Closed(connection.entry);
    EXPECT_EQ(gate.Count().http, 0u);
}

} // namespace
} // namespace meteremu
