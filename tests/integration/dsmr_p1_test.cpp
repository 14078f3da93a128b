// SPDX-License-Identifier: MIT
// The built daemon reading a P1 port: the test opens a pseudo-terminal, the daemon opens its
// other end as its serial port, and the test writes captured telegrams into it as a meter
// would; a battery asks EM.GetStatus over UDP on loopback.
#include "support/daemon_process.hpp"
#include "support/served_powers.hpp"
#include "support/temp_dir.hpp"
#include "support/udp_client.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fcntl.h>
#include <poll.h>
#include <thread>
#include <unistd.h>

namespace meteremu::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

/// DSMR 5 sends a telegram every second: the budget for one to be served is that plus 1 ms.
constexpr auto kSourceUpdate = 1000ms;

/// The master side of a pseudo-terminal; its slave is the daemon's serial port.
class FakeP1Port {
public:
    FakeP1Port() : fd_(posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) {
        if (!fd_.Valid() || grantpt(fd_.Get()) != 0 || unlockpt(fd_.Get()) != 0)
            throw std::runtime_error("cannot open a pseudo-terminal");
        slave_ = ptsname(fd_.Get());
    }
    const std::string& Device() const { return slave_; }
    /// As if the cable were pulled: the daemon's end hangs up.
    void Close() { fd_.Reset(); }

    /// Writes everything, waiting (bounded) while the daemon drains the terminal.
    void Write(std::string_view bytes) {
        auto deadline = Clock::now() + 5s;
        while (!bytes.empty() && Clock::now() < deadline) {
            ssize_t written = write(fd_.Get(), bytes.data(), bytes.size());
            if (written > 0)
                bytes.remove_prefix(static_cast<std::size_t>(written));
            else
                std::this_thread::sleep_for(1ms);
        }
        ASSERT_TRUE(bytes.empty()) << "the daemon did not read its port";
    }

private:
    UniqueFd fd_;
    std::string slave_;
};

std::string Telegram(const std::string& name) {
    return Fixture("dsmr_p1/" + name);
}

class P1Rig {
public:
    explicit P1Rig(const std::string& on_stale, const std::string& version = "5",
                   std::string device = "") {
        if (device.empty()) device = port_.Device();
        std::string config =
            "[frontend]\nmac = \"02:00:5E:10:20:41\"\nlisten_address = "
            "\"127.0.0.1\"\nhttp_port = 0\nudp_ports = [0]\nudp_reply_rate = 0\nmdns = false\n"
            "on_stale = \"" +
            on_stale + "\"\n" + kAnswerEveryPoll +
            "\n[backend]\ntype = \"dsmr_p1\"\nstale_after = 2.0\n" + "device = \"" + device +
            "\"\ndsmr_version = \"" + version + "\"\n";
        std::string path = dir_.Write("meteremu.toml", config).string();
        daemon_ = std::make_unique<ChildProcess>(
            std::vector<std::string>{METEREMU_BINARY, "--config", path});
        auto port = daemon_->WaitForOutput(R"(serving UDP on [^\n]*:(\d+))");
        if (!port) throw std::runtime_error("meteremu did not start:\n" + daemon_->Stderr());
        battery_ =
            std::make_unique<BatteryPoller>(std::make_unique<UdpClient>("127.0.0.1"), "127.0.0.1",
                                            static_cast<std::uint16_t>(std::stoi((*port)[1])));
    }

    ChildProcess& Daemon() { return *daemon_; }
    FakeP1Port& Port() { return port_; }

    /// Waits until the daemon has opened and set up its end of the terminal.
    void WaitUntilReading() {
        ASSERT_TRUE(daemon_->WaitForOutput("reading DSMR [0-9.]+ telegrams from"))
            << daemon_->Stderr();
    }

    BatteryPoller& Battery() { return *battery_; }

private:
    TempDir dir_;
    FakeP1Port port_;
    std::unique_ptr<ChildProcess> daemon_;
    std::unique_ptr<BatteryPoller> battery_;
};

struct Case {
    const char* telegram;
    PhasePowers powers;
};

// Per-phase power as the captures' expected.json gives it (import − export per phase).
const Case kCases[] = {
    {"dsmr50_3ph_ISK5-2M550T-1012_dsmrtools.txt", {45, 10, 379}},
    {"dsmr50_3ph_ISK5-2M550T-1012_mixed-sign-phases_dsmrtools.txt", {54, -842, 631}},
    {"be_emucs171_3ph_FLU5_import_dsmrparser.txt", {47, 179, 111}},
    {"dsmr50_1ph_Ene5-XS210_dsmrtools.txt", {335, 0, 0}},
    {"hu_eon_SAG5_export_dsmrparser.txt", {-2601, 0, 0}},
    {"at_sagemcom-t210-d-r_W-units_dsmrparser.txt", {286, 0, 0}},
};

TEST(DsmrP1Test, ServesEachTelegramWithinOneUpdate) {
    P1Rig rig("silent");
    rig.WaitUntilReading();
    std::vector<double> latencies_ms;
    for (int round = 0; round < 2; ++round) {
        for (const Case& c : kCases) {
            rig.Port().Write(Telegram(c.telegram));
            auto sent = Clock::now();
            auto took = rig.Battery().ServedWithin(c.powers, sent, kSourceUpdate + 1ms);
            ASSERT_TRUE(took) << c.telegram << " not served within 1 s + 1 ms\n"
                              << rig.Daemon().Stderr();
            latencies_ms.push_back(std::chrono::duration<double, std::milli>(*took).count());
        }
    }
    std::sort(latencies_ms.begin(), latencies_ms.end());
    std::printf("P1 telegram written -> served over UDP: median %.3f ms, worst %.3f ms\n",
                latencies_ms[latencies_ms.size() / 2], latencies_ms.back());
    EXPECT_EQ(rig.Daemon().Stop(SIGTERM), 0);
    EXPECT_EQ(Occurrences(rig.Daemon().Stderr(), "receiving telegrams of meter ISK5\\2M550T-1012"),
              1u)
        << rig.Daemon().Stderr();
    EXPECT_EQ(Occurrences(rig.Daemon().Stderr(), "discarded"), 0u) << rig.Daemon().Stderr();
}

TEST(DsmrP1Test, BadCrcAndCutTelegramsAreDiscardedWithOneLineEach) {
    P1Rig rig("silent");
    rig.WaitUntilReading();
    std::string good = Telegram("dsmr50_3ph_ISK5-2M550T-1012_dsmrtools.txt");
    std::string other = Telegram("be_emucs171_3ph_FLU5_import_dsmrparser.txt");
    rig.Port().Write(good);
    ASSERT_TRUE(rig.Battery().ServedWithin({45, 10, 379}, Clock::now(), kSourceUpdate));

    // The Belgian telegram with one digit of its L1 power changed: the CRC no longer matches.
    std::string corrupted = other;
    corrupted[corrupted.find("1-0:21.7.0(") + 15] = '9';
    rig.Port().Write(corrupted);
    // Half of it, then the next telegram: the half is discarded, the next one served.
    rig.Port().Write(other.substr(0, other.size() / 2));
    rig.Port().Write(good);
    std::this_thread::sleep_for(300ms);
    rig.Port().Write(other);
    ASSERT_TRUE(rig.Battery().ServedWithin({47, 179, 111}, Clock::now(), kSourceUpdate))
        << rig.Daemon().Stderr();
    EXPECT_EQ(rig.Daemon().Stop(SIGTERM), 0);
    std::string log = rig.Daemon().Stderr();
    EXPECT_EQ(Occurrences(log, "discarded a telegram"), 2u) << log;
    EXPECT_EQ(Occurrences(log, "its CRC does not match (CRC mismatch: telegram says C4B0"), 1u)
        << log;
    EXPECT_EQ(Occurrences(log, "it was cut short"), 1u) << log;
}

TEST(DsmrP1Test, Dsmr22WithoutCrcOnlyWhenConfigured) {
    std::string telegram = Telegram("dsmr22_KMP5-ZABF001551772711_nocrc_dsmrtools.txt");
    {
        P1Rig rig("silent", "2.2");
        rig.WaitUntilReading();
        ASSERT_TRUE(rig.Daemon().WaitForOutput("9600 baud 7E1"));
        rig.Port().Write(telegram);
        EXPECT_TRUE(rig.Battery().ServedWithin({680, 0, 0}, Clock::now(), kSourceUpdate + 1ms))
            << rig.Daemon().Stderr();
    }
    P1Rig rig("silent", "5");
    rig.WaitUntilReading();
    rig.Port().Write(telegram);
    EXPECT_TRUE(rig.Daemon().WaitForOutput("telegram without CRC")) << rig.Daemon().Stderr();
    EXPECT_FALSE(rig.Battery().Ask()) << "a telegram without CRC was served under DSMR 5";
}

/// Garbage and silence under each on_stale mode: garbage never refreshes the reading; once
/// stale_after (2 s) passes without a good telegram the mode's stale form is served; the next
/// telegram is served fresh at once. The garbage is one warning, the silence another.
class DsmrFaultTest : public testing::TestWithParam<const char*> {};

TEST_P(DsmrFaultTest, GarbageAndSilenceTurnStaleAsConfigured) {
    std::string mode = GetParam();
    P1Rig rig(mode);
    rig.WaitUntilReading();
    rig.Port().Write(Telegram("dsmr50_3ph_ISK5-2M550T-1012_dsmrtools.txt"));
    ASSERT_TRUE(rig.Battery().ServedWithin({45, 10, 379}, Clock::now(), kSourceUpdate));
    auto since = Clock::now();
    while (Clock::now() - since < 2500ms) {
        rig.Port().Write("line noise \x01\x02\xff\r\n/garbage!ZZZZ\r\n");
        std::this_thread::sleep_for(200ms);
    }
    auto reply = rig.Battery().Ask();
    if (mode == "silent") {
        EXPECT_FALSE(reply) << "a stale reading was answered: " << *reply;
    } else {
        ASSERT_TRUE(reply);
        auto powers = PowersIn(*reply);
        ASSERT_TRUE(powers) << *reply;
        EXPECT_NEAR(powers->c, mode == "zero" ? 0.0 : 379.0, 0.05) << mode << ": " << *reply;
    }
    // Silence (no good telegram) is logged after 5 s, once, and so is its end.
    EXPECT_TRUE(rig.Daemon().WaitForOutput("no good telegram on /dev/pts/[0-9]+ for 5 s", 4s));
    rig.Port().Write(Telegram("dsmr50_1ph_Ene5-XS210_dsmrtools.txt"));
    EXPECT_TRUE(rig.Battery().ServedWithin({335, 0, 0}, Clock::now(), kSourceUpdate + 1ms));
    EXPECT_TRUE(rig.Daemon().WaitForOutput("telegrams on /dev/pts/[0-9]+ are back after"));
    EXPECT_EQ(rig.Daemon().Stop(SIGTERM), 0);
    EXPECT_EQ(Occurrences(rig.Daemon().Stderr(), "its CRC does not match"), 1u)
        << rig.Daemon().Stderr();
}

INSTANTIATE_TEST_SUITE_P(OnStale, DsmrFaultTest, testing::Values("silent", "zero", "last"));

/// A cable pulled out while the daemon reads: one warning, the reading goes stale (nothing
/// invented), and the daemon keeps trying to reopen the port.
TEST(DsmrP1Test, APortThatHangsUpIsLoggedOnceAndTheReadingGoesStale) {
    P1Rig rig("silent");
    rig.WaitUntilReading();
    rig.Port().Write(Telegram("dsmr50_3ph_ISK5-2M550T-1012_dsmrtools.txt"));
    ASSERT_TRUE(rig.Battery().ServedWithin({45, 10, 379}, Clock::now(), kSourceUpdate));
    rig.Port().Close();
    ASSERT_TRUE(rig.Daemon().WaitForOutput("P1 port failed: [^\n]*; reopening every 5 s"))
        << rig.Daemon().Stderr();
    std::this_thread::sleep_for(2500ms); // stale_after
    EXPECT_FALSE(rig.Battery().Ask()) << "a stale reading was answered";
    EXPECT_EQ(rig.Daemon().Stop(SIGTERM), 0);
    EXPECT_EQ(Occurrences(rig.Daemon().Stderr(), "P1 port failed"), 1u) << rig.Daemon().Stderr();
}

/// A port that is not there (a cable not plugged in) is logged once; nothing is served.
TEST(DsmrP1Test, AMissingPortIsLoggedOnceAndNothingIsInvented) {
    TempDir dir;
    P1Rig rig("silent", "5", (dir.Path() / "ttyUSB9").string());
    ASSERT_TRUE(rig.Daemon().WaitForOutput("cannot read the P1 port: cannot open"))
        << rig.Daemon().Stderr();
    EXPECT_FALSE(rig.Battery().Ask());
    EXPECT_EQ(rig.Daemon().Stop(SIGTERM), 0);
    EXPECT_EQ(Occurrences(rig.Daemon().Stderr(), "cannot read the P1 port"), 1u);
}

} // namespace
} // namespace meteremu::test
