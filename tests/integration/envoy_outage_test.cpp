// SPDX-License-Identifier: MIT
// The daily maintenance of an Envoy, played for 90 s against the built daemon: first every
// request hangs, then connections are refused. Answers continue per on_stale all along, the
// log gets one warning and one recovery notice, and fresh data is back within 5 s. The
// systemd STATUS line says what goes on, and the watchdog keeps being fed: the poller never
// waits longer than one bounded request.
#include "integration/envoy_support.hpp"
#include "support/notify_socket.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace meteremu::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr double kTotalPower = -271.656 + 432.145; // 8.3.5169_with_generator, legs a and b

std::optional<double> TotalPower(const EnvoyRig& rig) {
    auto reply = rig.Get("/rpc/EM.GetStatus?id=0");
    if (reply.status != 200) return std::nullopt;
    return ReplyNumber(reply.body, "total_act_power");
}

bool WaitForFreshData(const EnvoyRig& rig) {
    return WaitUntil(
        [&] {
            auto power = TotalPower(rig);
            return power && std::abs(*power - kTotalPower) < 0.001;
        },
        10s);
}

/// Queries once a second for `duration`; every answer must be a 200 (on_stale = zero), and
/// zero once the data is older than stale_after.
void ExpectAnswersThrough(const EnvoyRig& rig, Clock::time_point outage_start,
                          Clock::duration duration) {
    auto end = Clock::now() + duration;
    while (Clock::now() < end) {
        auto power = TotalPower(rig);
        ASSERT_TRUE(power.has_value()) << "no answer during the outage";
        if (Clock::now() - outage_start > 12s) {
            EXPECT_EQ(*power, 0.0);
        }
        std::this_thread::sleep_for(1s);
    }
}

TEST(EnvoyOutageTest, NinetySecondOutageWarnsOnceAndRecoversWithinFiveSeconds) {
    EnvoyRig rig(EnvoyFolder("8.3.5169_with_generator"));
    std::string token = YearToken();
    NotifySocket systemd(rig.Dir().Path() / "notify");
    rig.StartDaemon(rig.BackendConfig(token, "poll_interval = 1.0\nstale_after = 10\n"),
                    "on_stale = \"zero\"\n",
                    {systemd.Environment(), "WATCHDOG_USEC=10000000"}); // pings every 5 s
    ASSERT_TRUE(WaitForFreshData(rig)) << rig.Output();

    auto outage = Clock::now();
    rig.Envoy().SetFault({FaultKind::Hang, 0ms, "", -1});
    ExpectAnswersThrough(rig, outage, 30s);
    rig.Envoy().SetDown(true); // also ends the hanging requests
    rig.Envoy().ClearFault();
    ExpectAnswersThrough(rig, outage, 60s);
    EXPECT_EQ(rig.Envoy().MaxInFlight(), 1);
    auto during = systemd.With("WATCHDOG=1");
    int pings = static_cast<int>(
        std::count_if(during.begin(), during.end(), [&](const auto& m) { return m.at > outage; }));
    EXPECT_GE(pings, 15) << "the watchdog went hungry during the outage";
    auto unreachable = systemd.WaitUntil([](const Notification& message) {
        auto status = message.Value("STATUS");
        return status && status->find("envoy unreachable since ") != std::string::npos &&
               status->find(", retrying ") != std::string::npos;
    });
    EXPECT_TRUE(unreachable.has_value()) << "no STATUS line saying the Envoy is unreachable";
    auto seen = systemd.All().size();
    if (unreachable)
        std::printf("outage: %d watchdog pings; STATUS=%s\n", pings,
                    systemd.All()[*unreachable].Value("STATUS")->c_str());

    rig.Envoy().SetDown(false);
    auto back = Clock::now();
    ASSERT_TRUE(WaitForFreshData(rig)) << rig.Output();
    auto recovery = Clock::now() - back;
    EXPECT_LT(recovery, 5s);
    RecordProperty(
        "recovery_ms",
        static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(recovery).count()));
    EXPECT_TRUE(systemd.WaitUntil(
        [](const Notification& message) {
            auto status = message.Value("STATUS");
            return status && status->find("envoy ok") != std::string::npos;
        },
        seen, 15s));
    auto output = rig.Output();
    EXPECT_EQ(Occurrences(output, "<4>"), 1) << output;
    EXPECT_EQ(Occurrences(output, "<4>envoy: cannot reach the Envoy"), 1) << output;
    EXPECT_EQ(Occurrences(output, "<5>envoy: Envoy readings are back after 1 min "), 1) << output;
    EXPECT_EQ(Occurrences(output, "<3>"), 0) << output;
    EXPECT_EQ(output.find(token), std::string::npos);
    std::printf("outage: fresh data %lld ms after the gateway's return; %d requests reached it\n",
                static_cast<long long>(
                    std::chrono::duration_cast<std::chrono::milliseconds>(recovery).count()),
                static_cast<int>(rig.Envoy().Requests().size()));
}

} // namespace
} // namespace meteremu::test
