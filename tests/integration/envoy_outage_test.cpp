// SPDX-License-Identifier: MIT
// The daily maintenance of an Envoy, played for 90 s against the built daemon: first every
// request hangs, then connections are refused. Answers continue per on_stale all along, the
// log gets one warning and one recovery notice, and fresh data is back within 5 s.
#include "integration/envoy_support.hpp"

#include <gtest/gtest.h>

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
    rig.StartDaemon(rig.BackendConfig(token, "poll_interval = 1.0\nstale_after = 10\n"),
                    "on_stale = \"zero\"\n");
    ASSERT_TRUE(WaitForFreshData(rig)) << rig.Output();

    auto outage = Clock::now();
    rig.Envoy().SetFault({FaultKind::Hang, 0ms, "", -1});
    ExpectAnswersThrough(rig, outage, 30s);
    rig.Envoy().SetDown(true); // also ends the hanging requests
    rig.Envoy().ClearFault();
    ExpectAnswersThrough(rig, outage, 60s);
    EXPECT_EQ(rig.Envoy().MaxInFlight(), 1);

    rig.Envoy().SetDown(false);
    auto back = Clock::now();
    ASSERT_TRUE(WaitForFreshData(rig)) << rig.Output();
    auto recovery = Clock::now() - back;
    EXPECT_LT(recovery, 5s);
    RecordProperty(
        "recovery_ms",
        static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(recovery).count()));
    std::this_thread::sleep_for(500ms);
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
