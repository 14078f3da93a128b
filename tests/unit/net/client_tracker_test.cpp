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

} // namespace
} // namespace meteremu
