// SPDX-License-Identifier: MIT
// The connection gate's count at the moment a connection opens: libmicrohttpd's threads each
// accept on their own and may both admit an address's last free place, so the connection
// that goes past a limit is shut down when it is counted; on a full server, the connection
// that has waited longest for a request is shut down instead. Sockets from socketpair() stand in
// for accepted connections: the peer end sees the shutdown as end of file.
#include "net/connection_gate.hpp"
#include "net/socket.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <chrono>
#include <poll.h>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <thread>
#include <vector>

namespace meteremu {
namespace {

using namespace std::chrono_literals;

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

sockaddr_in6 Peer6(const char* address) {
    sockaddr_in6 peer{};
    peer.sin6_family = AF_INET6;
    peer.sin6_port = htons(40000);
    inet_pton(AF_INET6, address, &peer.sin6_addr);
    return peer;
}

FakeConnection Open6(ConnectionGate& gate, const char* address) {
    int fds[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    FakeConnection connection{UniqueFd(fds[0]), UniqueFd(fds[1])};
    sockaddr_in6 peer = Peer6(address);
    connection.entry = gate.Opened(reinterpret_cast<const sockaddr*>(&peer), fds[0]);
    return connection;
}

constexpr auto kAdmitted = ConnectionGate::Admission::Admitted;

bool Admits(ConnectionGate& gate, const char* address) {
    sockaddr_in6 peer6 = Peer6(address);
    sockaddr_in peer4 = Peer(address);
    return std::string_view(address).find(':') != std::string_view::npos
               ? gate.Admit(reinterpret_cast<const sockaddr*>(&peer6)) == kAdmitted
               : gate.Admit(reinterpret_cast<const sockaddr*>(&peer4)) == kAdmitted;
}

/// A request arrives on the connection and is answered.
void Served(ConnectionGate& gate, const FakeConnection& connection) {
    gate.RequestArrived(connection.entry);
    gate.AwaitRequest(connection.entry);
}

TEST(ConnectionGateTest, FullServerDisplacesTheConnectionWaitingLongestForARequest) {
    ConnectionGate gate({.max_connections = 3, .max_per_address = 16}, nullptr, std::nullopt);
    std::vector<FakeConnection> connections;
    for (const char* address : {"192.0.2.1", "192.0.2.2", "192.0.2.3"})
        connections.push_back(Open(gate, address));
    // .1 asks promptly and keeps its place: .2 has waited longest.
    Served(gate, connections[0]);
    EXPECT_TRUE(Admits(gate, "192.0.2.4"));
    connections.push_back(Open(gate, "192.0.2.4"));
    EXPECT_TRUE(connections[1].ShutDown());
    EXPECT_FALSE(connections[0].ShutDown());
    EXPECT_FALSE(connections[2].ShutDown());
    EXPECT_FALSE(connections[3].ShutDown());
    // A connection being answered is not displaced: .3 is, and .1 is next.
    gate.RequestArrived(connections[0].entry);
    connections.push_back(Open(gate, "192.0.2.5"));
    EXPECT_TRUE(connections[2].ShutDown());
    EXPECT_FALSE(connections[0].ShutDown());
    gate.AwaitRequest(connections[0].entry);
    connections.push_back(Open(gate, "192.0.2.6"));
    EXPECT_TRUE(connections[3].ShutDown()) << ".4 waited longer than .1, answered since";
    EXPECT_FALSE(connections[0].ShutDown());
    for (auto& connection : connections)
        gate.Closed(connection.entry);
    EXPECT_EQ(gate.Count().http, 0u);
}

TEST(ConnectionGateTest, NothingToDisplaceShutsTheNewcomerButNeverTheHostItself) {
    ConnectionGate gate({.max_connections = 2, .max_per_address = 16}, nullptr, std::nullopt);
    std::vector<FakeConnection> connections;
    for (const char* address : {"127.0.0.1", "192.0.2.1", "192.0.2.2"})
        connections.push_back(Open(gate, address));
    gate.RequestArrived(connections[1].entry);
    gate.RequestArrived(connections[2].entry);
    EXPECT_FALSE(Admits(gate, "192.0.2.3")) << "both places are being answered";
    // Admitted by a second thread meanwhile, the newcomer itself goes; the host's own
    // connection, which waited longest, is neither counted nor displaced.
    connections.push_back(Open(gate, "192.0.2.3"));
    EXPECT_TRUE(connections[3].ShutDown());
    connections.push_back(Open(gate, "127.0.0.1"));
    for (int i : {0, 1, 2, 4})
        EXPECT_FALSE(connections[static_cast<size_t>(i)].ShutDown()) << i;
    for (auto& connection : connections)
        gate.Closed(connection.entry);
    EXPECT_EQ(gate.Count().http, 0u);
}

TEST(ConnectionGateTest, Ipv6ClientsAreCountedPerSlash64) {
    ConnectionGate gate({.max_connections = 100, .max_per_address = 2}, nullptr, std::nullopt);
    std::vector<FakeConnection> connections;
    connections.push_back(Open6(gate, "2001:db8:1:2::1"));
    connections.push_back(Open6(gate, "2001:db8:1:2::2"));
    EXPECT_FALSE(Admits(gate, "2001:db8:1:2:ffff::3")) << "the same /64";
    EXPECT_TRUE(Admits(gate, "2001:db8:1:3::1")) << "another /64";
    connections.push_back(Open6(gate, "2001:db8:1:2:ffff::3"));
    EXPECT_TRUE(connections[2].ShutDown());
    EXPECT_FALSE(connections[0].ShutDown());
    EXPECT_FALSE(connections[1].ShutDown());
    // Link-local addresses are each a client.
    for (const char* address : {"fe80::1", "fe80::1", "fe80::2"})
        connections.push_back(Open6(gate, address));
    EXPECT_FALSE(Admits(gate, "fe80::1"));
    EXPECT_TRUE(Admits(gate, "fe80::2"));
    for (auto& connection : connections)
        gate.Closed(connection.entry);
    EXPECT_TRUE(Admits(gate, "2001:db8:1:2::1"));
}

using Admission = ConnectionGate::Admission;

Admission AdmitV4(ConnectionGate& gate, const char* address) {
    sockaddr_in peer = Peer(address);
    return gate.Admit(reinterpret_cast<const sockaddr*>(&peer));
}

AllowList Allow(const char* network) {
    std::string error;
    return AllowList({IpNetwork::Parse(network, error).value()});
}

TEST(ConnectionGateTest, AdmitTellsWhyAConnectionIsRefusedAndCountsEachReason) {
    ClientFilter filter(Allow("10.0.0.0/8"));
    ConnectionGate gate({.max_connections = 2, .max_per_address = 1}, &filter, std::nullopt);
    EXPECT_EQ(AdmitV4(gate, "192.0.2.1"), Admission::NotAllowed);
    EXPECT_EQ(AdmitV4(gate, "127.0.0.1"), Admission::Admitted) << "the host itself";
    std::vector<FakeConnection> connections;
    connections.push_back(Open(gate, "10.0.0.1"));
    EXPECT_EQ(AdmitV4(gate, "10.0.0.1"), Admission::AddressFull);
    connections.push_back(Open(gate, "10.0.0.2"));
    gate.RequestArrived(connections[0].entry);
    gate.RequestArrived(connections[1].entry);
    EXPECT_EQ(AdmitV4(gate, "10.0.0.3"), Admission::ServerFull) << "both being answered";
    ConnectionGate::Stats stats = gate.Count();
    EXPECT_EQ(stats.http, 2u);
    EXPECT_EQ(stats.upgraded, 0u);
    EXPECT_EQ(stats.opened, 2u);
    EXPECT_EQ(stats.not_allowed, 1u);
    EXPECT_EQ(stats.address_full, 1u);
    EXPECT_EQ(stats.server_full, 1u);
    EXPECT_EQ(stats.displaced, 0u);
    EXPECT_EQ(stats.timed_out, 0u);
    // Admitted: only counted when it opens. .2 waits again and is displaced by .3.
    gate.AwaitRequest(connections[1].entry);
    EXPECT_EQ(AdmitV4(gate, "10.0.0.3"), Admission::Admitted);
    connections.push_back(Open(gate, "10.0.0.3"));
    EXPECT_TRUE(connections[1].ShutDown());
    // A second connection of .1 admitted by another thread meanwhile goes at once.
    connections.push_back(Open(gate, "10.0.0.1"));
    EXPECT_TRUE(connections[3].ShutDown());
    gate.Upgraded(connections[0].entry);
    stats = gate.Count();
    EXPECT_EQ(stats.opened, 4u);
    EXPECT_EQ(stats.displaced, 1u);
    EXPECT_EQ(stats.address_full, 2u);
    EXPECT_EQ(stats.http, 3u) << "shut down, not yet closed";
    EXPECT_EQ(stats.upgraded, 1u);
    EXPECT_EQ(stats.not_allowed, 1u);
    EXPECT_EQ(stats.server_full, 1u);
    for (auto& connection : connections)
        gate.Closed(connection.entry);
    stats = gate.Count();
    EXPECT_EQ(stats.http, 0u);
    EXPECT_EQ(stats.upgraded, 0u);
    EXPECT_EQ(stats.opened, 4u) << "since the start";
}

TEST(ConnectionGateTest, ConnectionWithoutARequestInTimeIsCutAndCounted) {
    ConnectionGate gate({.max_connections = 10, .max_per_address = 10, .request_timeout = 300ms},
                        nullptr, std::nullopt);
    FakeConnection slow = Open(gate, "192.0.2.1");
    FakeConnection answered = Open(gate, "192.0.2.2");
    gate.RequestArrived(answered.entry); // no deadline while it is answered
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!slow.ShutDown() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(10ms);
    EXPECT_TRUE(slow.ShutDown());
    EXPECT_FALSE(answered.ShutDown());
    EXPECT_EQ(gate.Count().timed_out, 1u);
    gate.Closed(slow.entry);
    gate.Closed(answered.entry);
    EXPECT_EQ(gate.Count().http, 0u);
}

} // namespace
} // namespace meteremu
