// SPDX-License-Identifier: MIT
// Two Marstek batteries sharing one phase through the emulated CT002, over a private network:
// the daemon (meteremu-test, its `feed` backend publishing the household's grid) runs in one
// network namespace, two HMG-50-like clients in another, joined by a veth pair. Each client
// broadcasts a search, then polls the meter that answered, once a second, half a second apart
// from the other, and moves its output by what each reply says. The household closes the
// loop: the test writes grid = load - P1 - P2 to the feed every 100 ms. The meter runs in its
// default mode, "auto": active mode once both regulate, each told its own part of the grid.
#include "frontends/ct002/ct002_frame.hpp"
#include "support/daemon_process.hpp"
#include "support/feed_backend.hpp"
#include "support/netns.hpp"
#include "support/temp_dir.hpp"
#include "support/udp_client.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

namespace meteremu::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::uint16_t kCtPort = 12345;
constexpr std::string_view kCtMac = "02b250a1b2c3";
/// The feed backend publishes its watts on phase A: the batteries regulate on A.
constexpr ct002::Phase kPhase = ct002::Phase::A;

constexpr auto kRun = 36s;      ///< of polls, after the searches
constexpr auto kLoadStep = 12s; ///< 600 W -> 300 W
constexpr auto kCountCheck = 10s;
constexpr auto kSettled = 3s; ///< from here on no battery may charge
constexpr auto kFeedPeriod = 100ms;
constexpr auto kPollPeriod = 1s;
constexpr auto kStagger = 500ms;

std::string Ct002Config(const std::filesystem::path& feed) {
    return "[frontend]\ntype = \"ct002\"\nct_mac = \"" + std::string(kCtMac) +
           "\"\nudp_ports = [12345]\nmdns = false\non_stale = \"zero\"\n"
           "udp_repeat_policy = \"repeat\"\n"
           // A step every second once the grid is still, so that the even split the
           // batteries reach at a still load (five times slower by default) fits the run.
           "balance_rate = 25\n\n[backend]\ntype = \"feed\"\nfeed_file = \"" +
           feed.string() + "\"\npoll_interval = 0.05\n";
}

std::optional<std::int32_t> Integer(std::string_view text) {
    std::int32_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

/// What a battery on phase A reads in the meter's 24-field reply.
struct CtReply {
    std::string ct_mac;      ///< field 2
    std::string battery_mac; ///< field 4, the request's echoed
    std::int32_t grid = 0;   ///< its phase's grid, W
    std::int32_t count = 0;  ///< batteries in its bucket
    std::int32_t charging = 0;
    std::int32_t discharging = 0;
};

std::optional<CtReply> ParseCtReply(std::string_view datagram) {
    auto fields = ct002::ParseFrame(datagram);
    if (!fields || fields->count != 24) return std::nullopt;
    const auto& f = fields->values;
    const std::size_t phase = ct002::BucketOf(kPhase) - 1; // A, B, C
    auto grid = Integer(f[4 + phase]);
    auto count = Integer(f[8 + phase]);
    auto charging = Integer(f[14 + ct002::BucketOf(kPhase)]);
    auto discharging = Integer(f[19 + ct002::BucketOf(kPhase)]);
    if (!grid || !count || !charging || !discharging) return std::nullopt;
    return CtReply{std::string(f[1]), std::string(f[3]), *grid, *count, *charging, *discharging};
}

/// An HMG-50-like battery: one socket of its own, its output, and what it told the meter
/// last.
struct Battery {
    explicit Battery(std::string battery_mac) : mac(std::move(battery_mac)) {}

    std::string mac;
    std::unique_ptr<UdpClient> socket;
    double power = 0; ///< W, + discharging
    std::int32_t sent = 0;
    std::string meter; ///< the address that answered the search

    std::string Request(std::string_view ct_mac, ct002::Phase phase, std::int32_t watts) const {
        return ct002::BuildRequest({"HMG-50", mac, "HME-4", ct_mac, phase, watts});
    }

    /// The reply to this battery among what arrives within `timeout` (at most 4 datagrams).
    std::optional<Datagram> AwaitReply(std::chrono::milliseconds timeout) const {
        auto until = Clock::now() + timeout;
        for (int i = 0; i < 4 && Clock::now() < until; ++i) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
            auto datagram = socket->Receive(std::max(left, 1ms));
            if (!datagram) return std::nullopt;
            auto reply = ParseCtReply(datagram->text);
            if (reply && reply->battery_mac == mac) return datagram;
        }
        return std::nullopt;
    }
};

/// The battery's next output after `reply`. The grid term is the relay law, the phase's grid
/// divided by the batteries counted on it. With that term alone the output a battery settles
/// at depends on who moved first (one can even end up charging from the other), so it also
/// moves towards its share of what the bucket reports in total: that is what the sums are
/// for, and with equal outputs the term is zero. Counted alone it has nobody to share with:
/// the sums hold its own report (relay mode) or the output the meter tells it to reach,
/// which the grid term already moves it to (active mode); following both would correct twice.
double NextPower(double power, const CtReply& reply) {
    double n = std::max(reply.count, 1);
    double share = (reply.discharging + reply.charging) / n;
    double balance = reply.count > 1 ? 0.8 * (share - power) : 0.0;
    double target = power + 0.8 * reply.grid / n + balance;
    target = std::clamp(target, power - 800, power + 800);
    return std::clamp(target, -2500.0, 2500.0);
}

struct TraceRow {
    double t, grid, p1, p2;
};

/// The household, the feed and the two batteries' polls on one clock.
class Household {
public:
    Household(std::filesystem::path feed, std::array<Battery, 2>& batteries)
        : feed_(std::move(feed)), batteries_(batteries) {}

    double Load() const { return elapsed_ < kLoadStep ? 600 : 300; }
    double Grid() const { return Load() - batteries_[0].power - batteries_[1].power; }
    void Feed() { WriteFeedSample(feed_, ++sequence_, Grid()); }

    void Run() {
        auto start = Clock::now();
        Clock::time_point next_feed = start;
        std::array<Clock::time_point, 2> next_poll{start, start + kStagger};
        for (int i = 0; i < 2000 && Clock::now() - start < kRun; ++i) {
            std::this_thread::sleep_until(std::min({next_feed, next_poll[0], next_poll[1]}));
            elapsed_ = Clock::now() - start;
            if (Clock::now() >= next_feed) {
                Feed();
                next_feed += kFeedPeriod;
            }
            for (std::size_t b = 0; b < 2; ++b) {
                if (Clock::now() < next_poll[b]) continue;
                Poll(b);
                if (::testing::Test::HasFatalFailure()) return;
                next_poll[b] += kPollPeriod;
            }
        }
    }

    void Poll(std::size_t b) {
        Battery& battery = batteries_[b];
        battery.sent = static_cast<std::int32_t>(std::lround(battery.power));
        ASSERT_TRUE(battery.socket->Send(battery.meter, kCtPort,
                                         battery.Request(kCtMac, kPhase, battery.sent)));
        auto datagram = battery.AwaitReply(300ms);
        if (!datagram) {
            ++unanswered_;
            return;
        }
        EXPECT_EQ(datagram->from, battery.meter + ":" + std::to_string(kCtPort));
        CtReply reply = *ParseCtReply(datagram->text);
        EXPECT_EQ(reply.ct_mac, kCtMac);
        if (elapsed_ >= kCountCheck && !counted_[b]) CheckBucket(b, reply);
        if (elapsed_ >= kSettled) CheckTargets(b, reply);
        battery.power = NextPower(battery.power, reply);
        if (elapsed_ >= kSettled) lowest_ = std::min(lowest_, battery.power);
        trace_.push_back({std::chrono::duration<double>(elapsed_).count(), Grid(),
                          batteries_[0].power, batteries_[1].power});
    }

    /// Active mode: each battery is counted alone (it must not divide its part again), and
    /// its bucket's sums hold what it is told to reach, its reported power plus its part.
    void CheckBucket(std::size_t b, const CtReply& reply) {
        counted_[b] = true;
        EXPECT_EQ(reply.count, 1) << "battery " << b + 1;
        EXPECT_EQ(reply.charging + reply.discharging, batteries_[b].sent + reply.grid)
            << "battery " << b + 1;
    }

    /// Neither is told to charge while the other is told to discharge: they would be
    /// charging each other. Noted at the first time it happens, checked at the end.
    void CheckTargets(std::size_t b, const CtReply& reply) {
        targets_[b] = reply.charging + reply.discharging;
        bool opposed = (targets_[0] < 0 && targets_[1] > 0) || (targets_[0] > 0 && targets_[1] < 0);
        if (opposed && opposed_.empty())
            opposed_ = "at " + std::to_string(std::chrono::duration<double>(elapsed_).count()) +
                       " s: told " + std::to_string(targets_[0]) + " W and " +
                       std::to_string(targets_[1]) + " W";
    }

    /// Both poll on one new reading, one right after the other, without moving: their
    /// parts of the grid add up to it (each rounded to a watt).
    void CheckPartsAddUp() {
        Feed();
        std::this_thread::sleep_for(300ms); // the feed backend reads it within 50 ms
        std::int32_t parts = 0;
        for (Battery& battery : batteries_) {
            battery.sent = static_cast<std::int32_t>(std::lround(battery.power));
            ASSERT_TRUE(battery.socket->Send(battery.meter, kCtPort,
                                             battery.Request(kCtMac, kPhase, battery.sent)));
            auto datagram = battery.AwaitReply(300ms);
            ASSERT_TRUE(datagram) << "no reply to " << battery.mac;
            CtReply reply = *ParseCtReply(datagram->text);
            EXPECT_EQ(reply.count, 1);
            parts += reply.grid;
        }
        EXPECT_NEAR(parts, Grid(), 1.5) << "the parts of a grid of " << Grid() << " W";
    }

    int Unanswered() const { return unanswered_; }
    /// When the two were first told to charge and discharge at once; empty: never.
    const std::string& Opposed() const { return opposed_; }
    bool Counted() const { return counted_[0] && counted_[1]; }
    double Lowest() const { return lowest_; }

    void PrintTrace() const {
        std::printf("    t s   grid W     P1 W     P2 W\n");
        for (const TraceRow& row : trace_)
            std::printf("%7.1f %8.0f %8.0f %8.0f\n", row.t, row.grid, row.p1, row.p2);
    }

private:
    std::filesystem::path feed_;
    std::array<Battery, 2>& batteries_;
    std::uint64_t sequence_ = 0;
    Clock::duration elapsed_{};
    int unanswered_ = 0;
    std::array<bool, 2> counted_{};
    std::array<std::int32_t, 2> targets_{}; ///< what each was told to reach last
    std::string opposed_;
    double lowest_ = 0;
    std::vector<TraceRow> trace_;
};

/// A Venus's search: its request broadcast with the wildcard CT MAC, until a meter answers
/// (at most 5 tries, one a second). The reply must come by unicast from the daemon's address.
void Search(Battery& battery, const VethNetwork& network, const ChildProcess& daemon) {
    std::string search = battery.Request(ct002::kAnyMeter, ct002::Phase::Detecting, 0);
    std::optional<Datagram> reply;
    for (int i = 0; i < 5 && !reply; ++i) {
        ASSERT_TRUE(battery.socket->Send(network.Broadcast(), kCtPort, search));
        reply = battery.AwaitReply(1s);
    }
    ASSERT_TRUE(reply) << "no answer to the search of " << battery.mac << "\n" << daemon.Stderr();
    EXPECT_EQ(reply->from, network.AddressA() + ":" + std::to_string(kCtPort));
    EXPECT_EQ(ParseCtReply(reply->text)->ct_mac, kCtMac);
    battery.meter = reply->from.substr(0, reply->from.rfind(':'));
}

TEST(Ct002NetnsTest, TwoBatteriesShareOnePhase) {
    if (std::string reason = NetnsUnavailableReason(); !reason.empty()) GTEST_SKIP() << reason;
    std::unique_ptr<VethNetwork> network;
    try {
        network = std::make_unique<VethNetwork>("meteremu-ct002-" + std::to_string(getpid()));
    } catch (const std::exception& error) {
        GTEST_SKIP() << "cannot build a network namespace here: " << error.what();
    }
    TempDir dir;
    std::filesystem::path feed = dir.Path() / "feed";
    std::array<Battery, 2> batteries{Battery{"2419720d3e01"}, Battery{"2419720d3e02"}};
    Household house(feed, batteries);
    house.Feed(); // the first reading, before the daemon starts
    std::string config = dir.Write("meteremu.toml", Ct002Config(feed)).string();
    ChildProcess daemon(
        network->ExecIn(network->NamespaceA(), {METEREMU_TEST_DAEMON_BINARY, "--config", config}));
    ASSERT_TRUE(daemon.WaitForOutput("serving UDP on")) << daemon.Stderr();

    // Bound to their own unicast address, the sockets cannot receive a broadcast: every reply
    // was sent to its battery alone.
    std::unique_ptr<UdpClient> stranger;
    network->InNamespaceB([&] {
        for (Battery& battery : batteries)
            battery.socket = std::make_unique<UdpClient>(network->AddressB());
        stranger = std::make_unique<UdpClient>(network->AddressB());
    });
    for (Battery& battery : batteries) {
        Search(battery, *network, daemon);
        if (HasFatalFailure()) return;
    }

    house.Run();
    if (HasFatalFailure()) return;
    EXPECT_EQ(house.Unanswered(), 0);
    EXPECT_TRUE(house.Counted()) << "no reply after " << kCountCheck.count() << " s";
    EXPECT_GE(house.Lowest(), 0) << "a battery charged after the first " << kSettled.count()
                                 << " s";
    EXPECT_EQ(house.Opposed(), "") << "one was told to charge while the other discharged";
    const double p1 = batteries[0].power, p2 = batteries[1].power;
    EXPECT_LT(std::abs(house.Grid()), 25);
    // Each ends within a balancing step (25 W) of its half: the meter steps no closer.
    EXPECT_LT(std::abs(p1 - p2), 50);
    EXPECT_NEAR(p1 + p2, house.Load(), 25);
    std::printf("after the step to %.0f W: grid %.1f W, P1 %.1f W, P2 %.1f W\n", house.Load(),
                house.Grid(), p1, p2);
    house.CheckPartsAddUp();

    // A poll for another meter is not answered.
    ASSERT_TRUE(stranger->Send(batteries[0].meter, kCtPort,
                               batteries[0].Request("02b250ffffff", kPhase, 0)));
    auto foreign = stranger->Receive(500ms);
    EXPECT_FALSE(foreign) << "a poll for CT 02b250ffffff was answered: " << foreign->text;

    if (HasFailure()) house.PrintTrace();
    EXPECT_EQ(daemon.Stop(SIGTERM), 0) << daemon.Stderr();
}

} // namespace
} // namespace meteremu::test
