// SPDX-License-Identifier: MIT
// The built daemon reading SMA Speedwire: captured meter datagrams multicast to
// 239.12.255.254:9522 inside a private network (two namespaces joined by a veth pair, never
// the host's interfaces), the daemon joined on its end, a battery asking EM.GetStatus over
// UDP from the other. Needs root for the namespaces; skips with the reason otherwise.
#include "support/daemon_process.hpp"
#include "support/netns.hpp"
#include "support/served_powers.hpp"
#include "support/temp_dir.hpp"
#include "support/udp_client.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <thread>

namespace meteremu::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

/// An Energy Meter 2.0 (serial 1901429669) importing on every phase, then idle.
constexpr char kImporting[] = "em20_fw2.0.18R_mlasch_pkt0_import1054W.bin";
constexpr char kIdle[] = "em20_fw2.0.18R_mlasch_seq01_pkt1_idle.bin";
/// A Sunny Home Manager 2.0 (serial 3011842589), the second meter on the network.
constexpr char kHomeManager[] = "shm20_fw2.15.7R_unimeter-issue36_import621W.bin";
/// A meter sends once a second: the budget for a sample to be served is that plus 1 ms.
constexpr auto kSourceUpdate = 1000ms;

/// A capture with its ticker (bytes 24..27) set, so each send is a new measurement.
std::string Datagram(const char* capture, std::uint32_t ticker) {
    std::string bytes = Fixture(std::string("sma_speedwire/") + capture);
    for (int i = 0; i < 4; ++i)
        bytes[static_cast<std::size_t>(24 + i)] = static_cast<char>(ticker >> (24 - 8 * i));
    return bytes;
}

/// A socket in namespace B that multicasts out of its veth.
class MeterSender {
public:
    explicit MeterSender(const VethNetwork& network) : address_(network.AddressB()) {
        network.InNamespaceB(
            [&] { fd_ = UniqueFd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)); });
        in_addr out{};
        inet_pton(AF_INET, address_.c_str(), &out);
        EXPECT_EQ(setsockopt(fd_.Get(), IPPROTO_IP, IP_MULTICAST_IF, &out, sizeof out), 0);
    }
    void Send(const std::string& bytes) {
        sockaddr_in group{};
        group.sin_family = AF_INET;
        group.sin_port = htons(9522);
        inet_pton(AF_INET, "239.12.255.254", &group.sin_addr);
        ASSERT_EQ(sendto(fd_.Get(), bytes.data(), bytes.size(), 0,
                         reinterpret_cast<const sockaddr*>(&group), sizeof group),
                  static_cast<ssize_t>(bytes.size()));
    }

private:
    std::string address_;
    UniqueFd fd_;
};

/// The daemon in namespace A, joined on veth-a, and a battery in namespace B.
class SmaRig {
public:
    explicit SmaRig(const std::string& on_stale, const std::string& interface = "veth-a") {
        network_ = std::make_unique<VethNetwork>("meteremu-sma-" + std::to_string(getpid()));
        std::string config =
            "[frontend]\nmac = \"02:00:5E:10:20:40\"\nlisten_address = \"" + network_->AddressA() +
            "\"\nhttp_port = 0\nudp_ports = [0]\nudp_reply_rate = 0\nmdns = false\non_stale = \"" +
            on_stale + "\"\n" + kAnswerEveryPoll + "\n[backend]\ntype = \"sma_speedwire\"\n" +
            "stale_after = 2.0\ninterface = \"" + interface + "\"\n";
        std::string path = dir_.Write("meteremu.toml", config).string();
        daemon_ = std::make_unique<ChildProcess>(
            network_->ExecIn(network_->NamespaceA(), {METEREMU_BINARY, "--config", path}));
        auto port = daemon_->WaitForOutput(R"(serving UDP on [^\n]*:(\d+))");
        if (!port) throw std::runtime_error("meteremu did not start:\n" + daemon_->Stderr());
        std::unique_ptr<UdpClient> client;
        network_->InNamespaceB([&] { client = std::make_unique<UdpClient>(network_->AddressB()); });
        battery_ =
            std::make_unique<BatteryPoller>(std::move(client), network_->AddressA(),
                                            static_cast<std::uint16_t>(std::stoi((*port)[1])));
        sender_ = std::make_unique<MeterSender>(*network_);
    }

    ChildProcess& Daemon() { return *daemon_; }
    MeterSender& Meter() { return *sender_; }
    const VethNetwork& Network() const { return *network_; }

    BatteryPoller& Battery() { return *battery_; }

private:
    TempDir dir_;
    std::unique_ptr<VethNetwork> network_;
    std::unique_ptr<ChildProcess> daemon_;
    std::unique_ptr<BatteryPoller> battery_;
    std::unique_ptr<MeterSender> sender_;
};

constexpr PhasePowers kImportingPowers{344.3, 592.7, 117.6};
constexpr PhasePowers kIdlePowers{0, 0, 0};

#define SKIP_WITHOUT_NAMESPACES()                                                                  \
    if (std::string reason = NetnsUnavailableReason(); !reason.empty())                            \
    GTEST_SKIP() << "SMA multicast is tested in network namespaces: " << reason

TEST(SmaSpeedwireTest, ServesEachMeterDatagramWithinOneUpdateAndIgnoresASecondMeter) {
    SKIP_WITHOUT_NAMESPACES();
    SmaRig rig("silent");
    ASSERT_TRUE(rig.Daemon().WaitForOutput("listening for SMA meters")) << rig.Daemon().Stderr();
    std::vector<double> latencies_ms;
    for (std::uint32_t i = 0; i < 10; ++i) {
        bool importing = i % 2 == 0;
        rig.Meter().Send(Datagram(importing ? kImporting : kIdle, 5000 + i * 1000));
        auto sent = Clock::now();
        // The Home Manager talks as well; its 620.7 W must never be served.
        rig.Meter().Send(Datagram(kHomeManager, 9000 + i * 1000));
        auto took = rig.Battery().ServedWithin(importing ? kImportingPowers : kIdlePowers, sent,
                                               kSourceUpdate + 1ms);
        ASSERT_TRUE(took) << "datagram " << i << " not served within 1 s + 1 ms\n"
                          << rig.Daemon().Stderr();
        latencies_ms.push_back(std::chrono::duration<double, std::milli>(*took).count());
        auto powers = PowersIn(rig.Battery().Ask().value_or(""));
        ASSERT_TRUE(powers);
        EXPECT_NEAR(powers->a, importing ? 344.3 : 0, 0.05) << "the second meter was served";
        std::this_thread::sleep_for(50ms);
    }
    std::sort(latencies_ms.begin(), latencies_ms.end());
    std::printf("SMA datagram sent -> served over UDP: median %.3f ms, worst %.3f ms\n",
                latencies_ms[latencies_ms.size() / 2], latencies_ms.back());
    EXPECT_EQ(rig.Daemon().Stop(SIGTERM), 0);
    std::string log = rig.Daemon().Stderr();
    EXPECT_EQ(Occurrences(log, "receiving Energy Meter 2.0 1901429669 (firmware 2.0.18.R) from " +
                                   rig.Network().AddressB()),
              1u)
        << log;
    EXPECT_EQ(Occurrences(log, "ignoring Sunny Home Manager 2.0 3011842589"), 1u) << log;
}

/// Garbage and silence, under each on_stale mode: garbage never refreshes the reading, and
/// once stale_after (2 s) passes without a datagram of the meter, the mode's stale form is
/// served; the next datagram is served fresh at once. Garbage is logged once, and so is the
/// silence (after 5 s) and its end.
class SmaFaultTest : public testing::TestWithParam<const char*> {};

TEST_P(SmaFaultTest, GarbageAndSilenceTurnStaleAsConfigured) {
    SKIP_WITHOUT_NAMESPACES();
    std::string mode = GetParam();
    SmaRig rig(mode);
    ASSERT_TRUE(rig.Daemon().WaitForOutput("listening for SMA meters")) << rig.Daemon().Stderr();
    rig.Meter().Send(Datagram(kImporting, 1000));
    ASSERT_TRUE(rig.Battery().ServedWithin(kImportingPowers, Clock::now(), kSourceUpdate));

    auto silent_since = Clock::now();
    std::string garbage = Datagram(kImporting, 2000).substr(0, 300); // cut in half
    while (Clock::now() - silent_since < 2500ms) {
        rig.Meter().Send(garbage);
        rig.Meter().Send("SMA\0junk");
        std::this_thread::sleep_for(200ms);
    }
    auto reply = rig.Battery().Ask();
    if (mode == "silent") {
        EXPECT_FALSE(reply) << "a stale reading was answered: " << *reply;
    } else {
        ASSERT_TRUE(reply);
        auto powers = PowersIn(*reply);
        ASSERT_TRUE(powers) << *reply;
        double expected_a = mode == "zero" ? 0.0 : 344.3;
        EXPECT_NEAR(powers->a, expected_a, 0.05) << mode << ": " << *reply;
    }
    // Silence is logged after 5 s, once.
    EXPECT_TRUE(rig.Daemon().WaitForOutput("no datagram from SMA meter 1901429669", 4s));
    rig.Meter().Send(Datagram(kIdle, 3000));
    EXPECT_TRUE(rig.Battery().ServedWithin(kIdlePowers, Clock::now(), kSourceUpdate + 1ms));
    EXPECT_TRUE(rig.Daemon().WaitForOutput("1901429669 \\(10[.0-9]+\\) is heard again after"));
    EXPECT_EQ(rig.Daemon().Stop(SIGTERM), 0);
    std::string log = rig.Daemon().Stderr();
    EXPECT_EQ(Occurrences(log, "ignoring an unreadable datagram from " + rig.Network().AddressB()),
              1u)
        << log;
    EXPECT_EQ(Occurrences(log, "no datagram from SMA meter 1901429669"), 1u) << log;
}

INSTANTIATE_TEST_SUITE_P(OnStale, SmaFaultTest, testing::Values("silent", "zero", "last"));

/// A missing interface is the meter being unreachable: one warning, the daemon serves on (no
/// reading yet), and retries.
TEST(SmaSpeedwireTest, AMissingInterfaceIsLoggedOnceAndNothingIsInvented) {
    SKIP_WITHOUT_NAMESPACES();
    SmaRig rig("silent", "nosuchif0");
    ASSERT_TRUE(rig.Daemon().WaitForOutput("cannot listen for SMA meters: no network interface "
                                           "nosuchif0"))
        << rig.Daemon().Stderr();
    rig.Meter().Send(Datagram(kImporting, 1000));
    EXPECT_FALSE(rig.Battery().Ask()) << "a reading was served without a meter";
    EXPECT_EQ(rig.Daemon().Stop(SIGTERM), 0);
    EXPECT_EQ(Occurrences(rig.Daemon().Stderr(), "cannot listen for SMA meters"), 1u);
}

} // namespace
} // namespace meteremu::test
