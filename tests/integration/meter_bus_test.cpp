// SPDX-License-Identifier: MIT
// The daemon's state on a real (private) system bus: its properties follow the reading, a new
// reading is signalled at most about once a second, `meteremu status` prints it, and the
// shipped policy lets only the daemon's user own the name and anyone read. Run against
// meteremu-test's feed backend, whose readings the test writes.
#include "platform/meter_bus_facts.hpp"
#include "support/daemon_process.hpp"
#include "support/feed_backend.hpp"
#include "support/private_bus.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <thread>
#include <unistd.h>

namespace meteremu {
namespace {

using namespace std::chrono_literals;
using test::ChildProcess;
using test::PrivateBus;
using test::RunResult;
using test::TempDir;
using test::WriteFeedSample;

constexpr const char* kServing = "dbus: serving io\\.meteremu\\.Meter1 on the system bus";

std::string FeedConfig(const std::filesystem::path& feed, const std::string& status = "") {
    return "[frontend]\nmac = \"02:00:5E:10:20:50\"\nlisten_address = \"127.0.0.1\"\n"
           "http_port = 0\nudp_ports = []\nmdns = false\n\n[backend]\ntype = \"feed\"\n"
           "feed_file = \"" +
           feed.string() + "\"\npoll_interval = 0.02\n" + status;
}

class MeterBusTest : public testing::Test {
protected:
    std::unique_ptr<ChildProcess> StartDaemon(const std::string& status = "") {
        auto config = dir_.Write("meteremu.toml", FeedConfig(feed_, status));
        return std::make_unique<ChildProcess>(
            std::vector<std::string>{METEREMU_TEST_DAEMON_BINARY, "--config", config.string()},
            bus_.Environment());
    }

    RunResult Property(const std::string& name, const std::string& as = "") const {
        return bus_.Busctl({"get-property", kMeterBusName, kMeterBusPath, kMeterBusInterface, name},
                           as);
    }

    /// Reads `name` until its busctl text is `expected`, for at most 5 s.
    std::string AwaitProperty(const std::string& name, const std::string& expected) const {
        std::string text;
        for (int i = 0; i < 50; ++i) {
            text = Property(name).out;
            if (text == expected + "\n") break;
            std::this_thread::sleep_for(100ms);
        }
        return text;
    }

    /// `meteremu status` on this bus: its exit status and what it printed.
    RunResult Status() const {
        ChildProcess status({METEREMU_BINARY, "status"}, bus_.Environment());
        RunResult result;
        result.status = status.WaitForExit(10s).value_or(-1);
        result.out = status.Stdout();
        result.err = status.Stderr();
        return result;
    }

    PrivateBus bus_;
    TempDir dir_;
    std::filesystem::path feed_ = dir_.Path() / "feed";
};

TEST_F(MeterBusTest, PropertiesFollowTheReadingAndStatusPrintsThem) {
    WriteFeedSample(feed_, 1, 500);
    auto daemon = StartDaemon();
    ASSERT_TRUE(daemon->WaitForOutput(kServing)) << daemon->Stderr();
    EXPECT_EQ(AwaitProperty("GridPowerTotal", "d 500"), "d 500\n");
    EXPECT_EQ(Property("GridPower").out, "ad 3 500 0 0\n");
    EXPECT_EQ(Property("ReadingPresent").out, "b true\n");
    EXPECT_EQ(Property("Stale").out, "b false\n");
    EXPECT_EQ(Property("ConfigFile").out,
              "s \"" + (dir_.Path() / "meteremu.toml").string() + "\"\n");
    EXPECT_NE(Property("Frontends").out.find("\"shelly\" \"shelly\" \"Shelly Pro 3EM"),
              std::string::npos);
    WriteFeedSample(feed_, 2, -300);
    EXPECT_EQ(AwaitProperty("GridPowerTotal", "d -300"), "d -300\n");

    RunResult status = Status();
    EXPECT_EQ(status.status, 0) << status.err;
    EXPECT_NE(status.out.find("      Grid: exporting 300.0 W (A -300.0 W, B +0.0 W, C +0.0 W)\n"),
              std::string::npos)
        << status.out;
    EXPECT_NE(status.out.find("serving fresh\n"), std::string::npos) << status.out;

    EXPECT_EQ(daemon->Stop(SIGTERM), 0);
    status = Status();
    EXPECT_EQ(status.status, 1);
    EXPECT_NE(status.err.find("meteremu is not running"), std::string::npos) << status.err;
}

TEST_F(MeterBusTest, ANewReadingIsSignalledAtMostAboutOnceASecond) {
    WriteFeedSample(feed_, 1, 100);
    auto daemon = StartDaemon();
    ASSERT_TRUE(daemon->WaitForOutput(kServing)) << daemon->Stderr();
    ChildProcess monitor({"/usr/bin/busctl", "--address=" + bus_.Address(), "monitor", "--match",
                          "type='signal',path='/io/meteremu/Meter1'"});
    ASSERT_TRUE(monitor.WaitForOutput("Monitoring bus message stream")) << monitor.Stderr();
    // 60 readings in 3 s, each with another value.
    auto started = std::chrono::steady_clock::now();
    for (int sample = 2; sample < 62; ++sample) {
        WriteFeedSample(feed_, static_cast<std::uint64_t>(sample), sample);
        std::this_thread::sleep_for(50ms);
    }
    auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
    ASSERT_TRUE(
        monitor.WaitForOutput(R"(STRING "GridPowerTotal";\s*VARIANT "d" \{\s*DOUBLE 61;)", 3s))
        << monitor.Stdout();
    monitor.Stop(SIGTERM);
    std::string out = monitor.Stdout();
    const std::regex signal("Member=PropertiesChanged");
    auto signals =
        std::distance(std::sregex_iterator(out.begin(), out.end(), signal), std::sregex_iterator());
    EXPECT_GE(signals, 2) << out;
    EXPECT_LE(signals, static_cast<std::ptrdiff_t>(seconds.count()) + 3) << out;
}

TEST_F(MeterBusTest, OnlyTheDaemonsUserOwnsTheNameAndAnyoneReadsIt) {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to ask as another user (CI runs as root)";
    WriteFeedSample(feed_, 1, 250);
    auto daemon = StartDaemon();
    ASSERT_TRUE(daemon->WaitForOutput(kServing)) << daemon->Stderr();
    AwaitProperty("GridPowerTotal", "d 250");
    RunResult read = Property("GridPowerTotal", "nobody");
    EXPECT_EQ(read.status, 0) << read.err;
    EXPECT_EQ(read.out, "d 250\n");
    RunResult own = bus_.Busctl({"call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                 "org.freedesktop.DBus", "RequestName", "su", kMeterBusName, "0"},
                                "nobody");
    EXPECT_NE(own.status, 0);
    EXPECT_NE(own.err.find("Access denied"), std::string::npos) << own.err;
    // Not that nobody may not talk to the bus at all: who owns the name, it may ask.
    RunResult owner = bus_.Busctl({"call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                   "org.freedesktop.DBus", "GetNameOwner", "s", kMeterBusName},
                                  "nobody");
    EXPECT_EQ(owner.status, 0) << owner.err;
    RunResult set = bus_.Busctl(
        {"set-property", kMeterBusName, kMeterBusPath, kMeterBusInterface, "Clients", "u", "7"},
        "nobody");
    EXPECT_NE(set.status, 0);
    EXPECT_NE(set.err.find("ccess denied"), std::string::npos) << set.err;
    // A second daemon of the same user finds the name taken, says so and serves on.
    auto second = StartDaemon();
    EXPECT_TRUE(second->WaitForOutput("dbus: another process owns io\\.meteremu\\.Meter1"))
        << second->Stderr();
}

TEST_F(MeterBusTest, WithoutABusOrWithDbusOffTheDaemonServesAsBefore) {
    WriteFeedSample(feed_, 1, 100);
    auto no_bus = std::make_unique<ChildProcess>(
        std::vector<std::string>{METEREMU_TEST_DAEMON_BINARY, "--config",
                                 dir_.Write("meteremu.toml", FeedConfig(feed_)).string()},
        std::vector<std::string>{"DBUS_SYSTEM_BUS_ADDRESS=unix:path=" +
                                 (dir_.Path() / "no-bus").string()});
    EXPECT_TRUE(no_bus->WaitForOutput(R"(<5>dbus: no system bus to publish on)"))
        << no_bus->Stderr();
    EXPECT_TRUE(no_bus->WaitForOutput("serving HTTP on"));
    EXPECT_EQ(no_bus->Stop(SIGTERM), 0);

    auto off = StartDaemon("\n[status]\ndbus = false\n");
    ASSERT_TRUE(off->WaitForOutput("serving HTTP on")) << off->Stderr();
    std::this_thread::sleep_for(1500ms);
    EXPECT_EQ(off->Stderr().find("dbus:"), std::string::npos) << off->Stderr();
    EXPECT_EQ(Property("Version").status, 1);
}

} // namespace
} // namespace meteremu
