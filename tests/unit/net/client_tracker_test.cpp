// SPDX-License-Identifier: MIT
#include "net/client_tracker.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <thread>
#include <tuple>
#include <vector>

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

// The count is of the clients that use the meter: an address allow refuses every time is
// listed (the page says why it gets nothing) but not counted; one answered once counts.
TEST(ClientTrackerTest, AnAddressRefusedEveryTimeIsNotCounted) {
    ClientTracker clients;
    auto stranger = V4("192.168.1.66", 40000), battery = V4("192.168.1.20", 40000);
    constexpr RequestLabel kRefused{kUnreadMethod, RequestOutcome::Refused};
    clients.Seen(Address(stranger), kStart, {}, kRefused);
    clients.Seen(Address(stranger), kStart + 1s, {}, kRefused);
    clients.Seen(Address(battery), kStart + 1s, {}, kRefused);
    clients.Seen(Address(battery), kStart + 2s); // answered, once allow was mended
    EXPECT_EQ(clients.Count(kStart + 2s), 1u);
    EXPECT_EQ(clients.Recent(kStart + 2s, Seconds{60}).size(), 2u);
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

// The tracker does not care whether an id has a name: the ids below are used as they are, so
// these tests hold whatever else the process has put in the table of method names.
constexpr MethodId kGetStatus{5}, kGetConfig{7};
constexpr ClientVia kHttp80{ClientTransport::Http, 80};

std::uint64_t Bit(MethodId method) {
    return std::uint64_t{1} << method;
}

std::uint32_t Outcomes(const ClientInfo& client, RequestOutcome outcome) {
    return client.outcomes[static_cast<std::size_t>(outcome)];
}

TEST(ClientTrackerTest, RecentTellsWhatEachClientAskedAndWhatItGot) {
    ClientTracker clients;
    auto battery = V4("192.168.1.20", 40000), stranger = V4("203.0.113.9", 1);
    clients.Seen(Address(battery), kStart, kHttp80, {kGetStatus, RequestOutcome::Answered});
    clients.Seen(Address(battery), kStart + 1s, kHttp80, {kGetStatus, RequestOutcome::Answered});
    clients.Seen(Address(battery), kStart + 2s, kHttp80, {kGetConfig, RequestOutcome::Withheld});
    clients.Seen(Address(battery), kStart + 3s, kUdp1010,
                 {kGetStatus, RequestOutcome::NoNewSample});
    clients.Seen(Address(stranger), kStart + 4s, kHttp80, {kUnreadMethod, RequestOutcome::Refused});
    auto recent = clients.Recent(kStart + 4s, Seconds{60});
    ASSERT_EQ(recent.size(), 2u);
    const ClientInfo& refused = recent[0]; // the most recent first
    EXPECT_EQ(refused.address.ToString(), "203.0.113.9");
    EXPECT_EQ(refused.methods, Bit(kUnreadMethod));
    EXPECT_EQ(Outcomes(refused, RequestOutcome::Refused), 1u);
    const ClientInfo& polling = recent[1];
    EXPECT_EQ(polling.address.ToString(), "192.168.1.20");
    EXPECT_EQ(polling.polls, 4u);
    EXPECT_EQ(polling.via.transport, ClientTransport::Udp);
    EXPECT_EQ(polling.methods, Bit(kGetStatus) | Bit(kGetConfig));
    EXPECT_EQ(polling.outcomes, (std::array<std::uint32_t, kRequestOutcomes>{2, 1, 1, 0, 0, 0}));
}

using CountKey = std::tuple<ClientTransport, MethodId, RequestOutcome, std::uint64_t>;

std::vector<CountKey> Sorted(const std::vector<RequestCount>& counts) {
    std::vector<CountKey> keys;
    for (const RequestCount& count : counts)
        keys.emplace_back(count.transport, count.method, count.outcome, count.count);
    std::ranges::sort(keys);
    return keys;
}

std::uint64_t Total(const std::vector<RequestCount>& counts) {
    std::uint64_t total = 0;
    for (const RequestCount& count : counts)
        total += count.count;
    return total;
}

TEST(ClientTrackerTest, CountsRequestsByTransportMethodAndOutcome) {
    ClientTracker clients;
    EXPECT_TRUE(clients.RequestCounts().empty());
    auto battery = V4("192.168.1.20", 40000), assistant = V6("fd00::10");
    for (int i = 0; i < 3; ++i)
        clients.Seen(Address(battery), kStart, kHttp80, {kGetStatus, RequestOutcome::Answered});
    clients.Seen(Address(assistant), kStart, kHttp80, {kGetStatus, RequestOutcome::Answered});
    clients.Seen(Address(assistant), kStart, {ClientTransport::WebSocket, 80},
                 {kGetStatus, RequestOutcome::Answered});
    clients.Seen(Address(battery), kStart, kUdp1010, {kGetConfig, RequestOutcome::RateLimited});
    clients.Seen(Address(battery), kStart, kUdp1010, {kOtherMethod, RequestOutcome::Failed});
    // Counted without a read of the table, and an address that is no IP is not counted.
    clients.Seen(nullptr, kStart, kHttp80, {kGetStatus, RequestOutcome::Answered});
    using enum ClientTransport;
    using enum RequestOutcome;
    EXPECT_EQ(Sorted(clients.RequestCounts()), (std::vector<CountKey>{
                                                   {Http, kGetStatus, Answered, 4},
                                                   {WebSocket, kGetStatus, Answered, 1},
                                                   {Udp, kOtherMethod, Failed, 1},
                                                   {Udp, kGetConfig, RateLimited, 1},
                                               }));
}

TEST(ClientTrackerTest, AFloodBetweenTwoReadsLosesNotesButNoCounts) {
    ClientTracker clients;
    auto battery = V4("192.168.1.20", 40000);
    constexpr std::size_t kFlood = ClientTracker::kRingNotes + 100;
    for (std::size_t i = 0; i < kFlood; ++i)
        clients.Seen(Address(battery), kStart, kHttp80, {kGetStatus, RequestOutcome::Answered});
    EXPECT_EQ(clients.NotesLost(), 100u);
    EXPECT_EQ(Total(clients.RequestCounts()), kFlood);
    auto recent = clients.Recent(kStart, Seconds{60});
    ASSERT_EQ(recent.size(), 1u);
    EXPECT_EQ(recent[0].polls, ClientTracker::kRingNotes);
    // The read made room again.
    clients.Seen(Address(battery), kStart + 1s, kHttp80, {kGetStatus, RequestOutcome::Answered});
    EXPECT_EQ(clients.Recent(kStart + 1s, Seconds{60}).at(0).polls, ClientTracker::kRingNotes + 1);
    EXPECT_EQ(clients.NotesLost(), 100u);
    EXPECT_EQ(Total(clients.RequestCounts()), kFlood + 1);
}

TEST(ClientTrackerTest, ThreadsNotingAtOnceWhileTheTableIsReadLoseNothing) {
    ClientTracker clients;
    constexpr int kThreads = 4, kEach = 500; // together within the ring: nothing may be lost
    std::vector<sockaddr_storage> addresses;
    for (int i = 0; i < kThreads; ++i)
        addresses.push_back(V4(("10.0.0." + std::to_string(i + 1)).c_str(), 1));
    std::atomic<int> done = 0;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            auto method = static_cast<MethodId>(10 + t);
            for (int i = 0; i < kEach; ++i)
                clients.Seen(Address(addresses[static_cast<std::size_t>(t)]), kStart + i * 1ms,
                             kHttp80, {method, RequestOutcome::Answered});
            ++done;
        });
    // The reading thread drains the ring while they note.
    while (done < kThreads)
        clients.Count(kStart + 1s);
    for (std::thread& thread : threads)
        thread.join();
    auto recent = clients.Recent(kStart + 1s, Seconds{60});
    EXPECT_EQ(clients.NotesLost(), 0u);
    ASSERT_EQ(recent.size(), static_cast<std::size_t>(kThreads));
    std::uint64_t polls = 0;
    for (const ClientInfo& client : recent) {
        EXPECT_EQ(client.polls, static_cast<std::uint32_t>(kEach)) << client.address.ToString();
        EXPECT_EQ(Outcomes(client, RequestOutcome::Answered), static_cast<std::uint32_t>(kEach));
        auto t = client.address.bytes[15] - 1; // 10.0.0.(t + 1)
        EXPECT_EQ(client.methods, Bit(static_cast<MethodId>(10 + t)));
        polls += client.polls;
    }
    EXPECT_EQ(polls, Total(clients.RequestCounts()));
    EXPECT_EQ(polls, static_cast<std::uint64_t>(kThreads * kEach));
}

} // namespace
} // namespace meteremu
