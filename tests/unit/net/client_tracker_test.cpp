// SPDX-License-Identifier: MIT
#include "net/client_tracker.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>

namespace meteremu {
namespace {

using namespace std::chrono_literals;

const SteadyTime kStart{std::chrono::hours(100)};

sockaddr_storage V4(const char* text, std::uint16_t port) {
    sockaddr_storage storage{};
    auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    inet_pton(AF_INET, text, &v4->sin_addr);
    return storage;
}

sockaddr_storage V6(const char* text) {
    sockaddr_storage storage{};
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
    v6->sin6_family = AF_INET6;
    inet_pton(AF_INET6, text, &v6->sin6_addr);
    return storage;
}

const sockaddr* Address(const sockaddr_storage& storage) {
    return reinterpret_cast<const sockaddr*>(&storage);
}

TEST(ClientTrackerTest, CountsAddressesNotConnections) {
    ClientTracker clients;
    auto battery_a = V4("192.168.1.20", 40000), battery_b = V4("192.168.1.20", 40001);
    auto mapped = V6("::ffff:192.168.1.20"); // the same battery seen on a dual-stack socket
    auto home_assistant = V6("fd00::10");
    clients.Seen(Address(battery_a), kStart);
    clients.Seen(Address(battery_b), kStart + 1s);
    clients.Seen(Address(mapped), kStart + 2s);
    clients.Seen(Address(home_assistant), kStart + 2s);
    EXPECT_EQ(clients.Count(kStart + 2s), 2u);
}

TEST(ClientTrackerTest, ForgetsClientsSilentForLongerThanTheWindow) {
    ClientTracker clients(60s);
    auto a = V4("10.0.0.1", 1), b = V4("10.0.0.2", 1);
    clients.Seen(Address(a), kStart);
    clients.Seen(Address(b), kStart + 30s);
    EXPECT_EQ(clients.Count(kStart + 60s), 2u);
    EXPECT_EQ(clients.Count(kStart + 61s), 1u);
    EXPECT_EQ(clients.Count(kStart + 91s), 0u);
    clients.Seen(Address(a), kStart + 100s);
    EXPECT_EQ(clients.Count(kStart + 100s), 1u);
}

TEST(ClientTrackerTest, SaturatesAtItsCapacity) {
    ClientTracker clients(60s, 4);
    for (int i = 1; i <= 10; ++i) {
        auto address = V4(("10.0.0." + std::to_string(i)).c_str(), 1);
        clients.Seen(Address(address), kStart + std::chrono::seconds(i));
    }
    EXPECT_EQ(clients.Count(kStart + 10s), 4u);
}

TEST(ClientTrackerTest, IgnoresWhatIsNotIp) {
    ClientTracker clients;
    sockaddr unix_address{};
    unix_address.sa_family = AF_UNIX;
    clients.Seen(&unix_address, kStart);
    clients.Seen(nullptr, kStart);
    EXPECT_EQ(clients.Count(kStart), 0u);
}

std::vector<ClientEvent::Kind> Kinds(const std::vector<ClientEvent>& events) {
    std::vector<ClientEvent::Kind> kinds;
    for (const ClientEvent& event : events)
        kinds.push_back(event.kind);
    return kinds;
}

using Kind = ClientEvent::Kind;
constexpr ClientVia kUdp1010{ClientTransport::Udp, 1010};

TEST(ClientTrackerTest, TellsTheFirstPollOfEachAddressOnce) {
    ClientTracker clients;
    auto battery = V4("192.168.1.20", 40000), assistant = V4("192.168.1.30", 50000);
    clients.Seen(Address(battery), kStart, kUdp1010);
    clients.Seen(Address(battery), kStart + 1s, {ClientTransport::Http, 80});
    clients.Seen(Address(assistant), kStart + 1s, {ClientTransport::WebSocket, 80});
    auto events = clients.TakeEvents(kStart + 1s);
    ASSERT_EQ(Kinds(events), (std::vector{Kind::FirstPoll, Kind::FirstPoll}));
    EXPECT_EQ(events[0].address.ToString(), "192.168.1.20");
    EXPECT_EQ(events[0].via.transport, ClientTransport::Http); // its latest request
    EXPECT_EQ(events[1].via.transport, ClientTransport::WebSocket);
    clients.Seen(Address(battery), kStart + 2s, kUdp1010);
    EXPECT_TRUE(clients.TakeEvents(kStart + 2s).empty());
}

TEST(ClientTrackerTest, TellsWhenARegularClientGoesQuietAndWhenItIsBack) {
    ClientTracker clients;
    auto battery = V4("192.168.1.20", 40000);
    for (int poll = 0; poll < 6; ++poll)
        clients.Seen(Address(battery), kStart + poll * 2s, kUdp1010);
    ASSERT_EQ(Kinds(clients.TakeEvents(kStart + 10s)), std::vector{Kind::FirstPoll});
    // Quiet after 5 times its interval, at least 30 s.
    EXPECT_TRUE(clients.TakeEvents(kStart + 40s).empty());
    auto quiet = clients.TakeEvents(kStart + 41s);
    ASSERT_EQ(Kinds(quiet), std::vector{Kind::WentQuiet});
    EXPECT_NEAR(quiet[0].interval.count(), 2.0, 1e-9);
    EXPECT_EQ(quiet[0].last_seen, kStart + 10s);
    EXPECT_TRUE(clients.TakeEvents(kStart + 60s).empty());
    clients.Seen(Address(battery), kStart + 61s, kUdp1010);
    EXPECT_EQ(Kinds(clients.TakeEvents(kStart + 61s)), std::vector{Kind::Back});
    EXPECT_TRUE(clients.TakeEvents(kStart + 62s).empty());
}

TEST(ClientTrackerTest, AClientThatPolledOnlyAFewTimesIsNeverQuiet) {
    ClientTracker clients;
    auto once = V4("192.168.1.40", 1);
    for (int poll = 0; poll < 4; ++poll)
        clients.Seen(Address(once), kStart + poll * 1s);
    clients.TakeEvents(kStart + 4s);
    EXPECT_TRUE(clients.TakeEvents(kStart + 1h).empty());
}

} // namespace
} // namespace meteremu
