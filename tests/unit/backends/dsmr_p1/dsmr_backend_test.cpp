// SPDX-License-Identifier: MIT
// The DSMR backend's thread on a pseudo-terminal: it ticks its heartbeat while the meter is
// silent and while the port is missing (the watchdog duty of backends/backend.hpp), says
// so in Health(), publishes a telegram as a reading, and stops promptly.
#include "backends/dsmr_p1/dsmr_options.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <thread>
#include <unistd.h>

namespace meteremu {
namespace {

using namespace std::chrono_literals;

struct Rig {
    MeterState state{SiteLayout{}, FreshnessPolicy{}};
    Heartbeat heartbeat;
    DsmrP1Options options;

    std::unique_ptr<Backend> Make() {
        return dsmr_p1_backend_plugin.create(options, {state, Seconds(1.0), heartbeat, {}});
    }
};

/// Ticks of `heartbeat` over `span`.
std::uint64_t TicksDuring(const Heartbeat& heartbeat, std::chrono::milliseconds span) {
    std::uint64_t before = heartbeat.Ticks();
    std::this_thread::sleep_for(span);
    return heartbeat.Ticks() - before;
}

TEST(DsmrBackendTest, TicksWhileTheMeterIsSilentAndPublishesATelegram) {
    UniqueFd master(posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
    ASSERT_TRUE(master.Valid() && grantpt(master.Get()) == 0 && unlockpt(master.Get()) == 0);
    Rig rig;
    rig.options.device = ptsname(master.Get());
    auto backend = rig.Make();
    EXPECT_EQ(backend->Describe(), "DSMR 5 P1 port " + rig.options.device);
    backend->Start();
    EXPECT_GE(TicksDuring(rig.heartbeat, 1200ms), 4u) << "a silent meter must not look hung";
    EXPECT_EQ(backend->Health(), "dsmr_p1: waiting for a telegram on " + rig.options.device);
    std::string telegram = test::Fixture("dsmr_p1/dsmr50_3ph_ISK5-2M550T-1012_dsmrtools.txt");
    ASSERT_EQ(write(master.Get(), telegram.data(), telegram.size()),
              static_cast<ssize_t>(telegram.size()));
    for (int i = 0; i < 100 && !rig.state.Latest(); ++i)
        std::this_thread::sleep_for(10ms);
    ASSERT_TRUE(rig.state.Latest());
    EXPECT_DOUBLE_EQ(rig.state.Latest()->phases[2].act_power, 379);
    // The reading is published first (the batteries wait for it); the health follows.
    const std::string healthy = "dsmr_p1 ok (ISK5\\2M550T-1012)";
    for (int i = 0; i < 100 && backend->Health() != healthy; ++i)
        std::this_thread::sleep_for(10ms);
    EXPECT_EQ(backend->Health(), healthy);
    auto stopping = std::chrono::steady_clock::now();
    backend->Stop();
    EXPECT_LT(std::chrono::steady_clock::now() - stopping, 400ms);
}

TEST(DsmrBackendTest, TicksWhileThePortIsMissing) {
    test::TempDir dir;
    Rig rig;
    rig.options.device = (dir.Path() / "ttyUSB7").string();
    auto backend = rig.Make();
    backend->Start();
    EXPECT_GE(TicksDuring(rig.heartbeat, 1200ms), 4u) << "retrying must not look hung";
    EXPECT_TRUE(
        backend->Health().starts_with("dsmr_p1 cannot read " + rig.options.device + " since "))
        << backend->Health();
    EXPECT_FALSE(rig.state.Latest());
    auto stopping = std::chrono::steady_clock::now();
    backend->Stop();
    EXPECT_LT(std::chrono::steady_clock::now() - stopping, 400ms) << "Stop waits out a retry";
}

} // namespace
} // namespace meteremu
