// SPDX-License-Identifier: MIT
// The built daemon's per-client sample gate on every transport, with the demo household as
// the source: a new reading every poll_interval (docs/architecture.md#sample-gating). A client
// polling 4×/s against a 1 s source gets each reading once under "hold" and "drop", and the
// same reading several times under "repeat" (0.1.0); with a 10 s source a held poll is
// answered after max_hold, and a dropped one not at all.
#include "support/daemon_process.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"
#include "support/udp_client.hpp"
#include "support/websocket_client.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace meteremu::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

/// The demo household publishing every `poll_interval` seconds, served on loopback with the
/// given frontend keys (the gate's policy).
std::string GatedConfig(const std::string& gate_keys, double poll_interval) {
    return "[frontend]\nmac = \"02:00:5E:10:20:41\"\nlisten_address = \"127.0.0.1\"\n"
           "http_port = 0\nudp_ports = [0]\nmdns = false\n" +
           gate_keys +
           "\n[backend]\ntype = \"demo\"\npoll_interval = " + std::to_string(poll_interval) +
           "\nstale_after = 60\nseed = 7\n";
}

std::string Poll(int id) {
    return R"({"id":)" + std::to_string(id) + R"(,"method":"EM.GetStatus","params":{"id":0}})";
}

/// The result part of a reply frame: what changes with the reading, not with the request id.
std::string ResultOf(const std::string& frame) {
    auto at = frame.find("\"result\":");
    return at == std::string::npos ? frame : frame.substr(at);
}

struct Replies {
    int polls = 0;
    std::vector<std::string> results;    ///< in order of arrival
    std::vector<Clock::duration> delays; ///< from the latest poll before each reply

    std::size_t Distinct() const { return std::set(results.begin(), results.end()).size(); }
};

/// Polls every `period` for `duration` (`send` one poll, `receive` one reply within a
/// timeout) and collects every reply.
Replies PollFor(Clock::duration duration, Clock::duration period,
                const std::function<void(int)>& send,
                const std::function<std::optional<std::string>(Clock::duration)>& receive) {
    Replies replies;
    auto end = Clock::now() + duration;
    auto next = Clock::now();
    while (Clock::now() < end && replies.polls < 400) {
        send(++replies.polls);
        auto sent = Clock::now();
        next += period;
        while (Clock::now() < next) {
            auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now());
            auto reply = receive(std::max(wait, 1ms));
            if (!reply) continue;
            replies.results.push_back(ResultOf(*reply));
            replies.delays.push_back(Clock::now() - sent);
        }
    }
    return replies;
}

class UdpBattery {
public:
    UdpBattery(const RunningDaemon& daemon) : port_(daemon.UdpPorts(1).front()) {}

    Replies PollFor(Clock::duration duration, Clock::duration period = 250ms) {
        return test::PollFor(
            duration, period, [&](int id) { client_.Send("127.0.0.1", port_, Poll(id)); },
            [&](Clock::duration timeout) -> std::optional<std::string> {
                auto reply =
                    client_.Receive(std::chrono::duration_cast<std::chrono::milliseconds>(timeout));
                return reply ? std::optional(reply->text) : std::nullopt;
            });
    }

private:
    std::uint16_t port_;
    UdpClient client_{"127.0.0.1"};
};

RunningDaemon Start(TempDir& dir, const std::string& gate_keys, double poll_interval) {
    RunningDaemon daemon =
        StartDaemon(dir.Write("meteremu.toml", GatedConfig(gate_keys, poll_interval)).string());
    std::this_thread::sleep_for(300ms); // the first reading
    return daemon;
}

// A 1 s source polled 4×/s for 5 s: each reading once, each reply a new one. "hold" is the
// default on every transport: the file names no policy.
TEST(SampleGatingTest, UdpHoldAnswersOncePerNewReading) {
    TempDir dir;
    RunningDaemon daemon = Start(dir, "max_hold = 3.0", 1.0);
    Replies replies = UdpBattery(daemon).PollFor(5s);
    EXPECT_GE(replies.polls, 18);
    EXPECT_GE(replies.results.size(), 4u); // the first poll's reading, then one per second
    EXPECT_LE(replies.results.size(), 7u);
    EXPECT_EQ(replies.Distinct(), replies.results.size()) << "a reading was served twice";
}

// A 10 s source: the first poll gets the reading; the next is held for max_hold, then
// answered with the same reading.
TEST(SampleGatingTest, UdpHoldAnswersAfterMaxHoldDuringAStall) {
    TempDir dir;
    RunningDaemon daemon = Start(dir, "udp_repeat_policy = \"hold\"\nmax_hold = 0.6", 10.0);
    UdpBattery battery(daemon);
    Replies first = battery.PollFor(200ms, 200ms);
    ASSERT_EQ(first.results.size(), 1u) << daemon.process->Stderr();
    EXPECT_LT(first.delays[0], 200ms);
    Replies held = battery.PollFor(1500ms, 1500ms); // one poll, waiting up to 1.5 s
    ASSERT_EQ(held.results.size(), 1u);
    EXPECT_GE(held.delays[0], 550ms);
    EXPECT_LE(held.delays[0], 1000ms);
    EXPECT_EQ(held.results[0], first.results[0]);
}

TEST(SampleGatingTest, UdpDropAnswersOnlyNewReadings) {
    TempDir dir;
    RunningDaemon daemon = Start(dir, "udp_repeat_policy = \"drop\"", 1.0);
    UdpBattery battery(daemon);
    Replies replies = battery.PollFor(4s);
    EXPECT_GE(replies.polls, 14);
    EXPECT_GE(replies.results.size(), 3u);
    EXPECT_LE(replies.results.size(), 6u);
    EXPECT_EQ(replies.Distinct(), replies.results.size());
    for (auto delay : replies.delays)
        EXPECT_LT(delay, 250ms); // answered at once or never
}

TEST(SampleGatingTest, UdpDropIsSilentDuringAStall) {
    TempDir dir;
    RunningDaemon daemon = Start(dir, "udp_repeat_policy = \"drop\"\nmax_hold = 0.3", 10.0);
    UdpBattery battery(daemon);
    EXPECT_EQ(battery.PollFor(250ms).results.size(), 1u);
    Replies silent = battery.PollFor(2s);
    EXPECT_GE(silent.polls, 7);
    EXPECT_TRUE(silent.results.empty()) << silent.results.size() << " replies";
}

// The default, as 0.1.0: every poll answered, the same reading several times.
TEST(SampleGatingTest, UdpRepeatAnswersEveryPoll) {
    TempDir dir;
    RunningDaemon daemon = Start(dir, "udp_repeat_policy = \"repeat\"", 1.0);
    Replies replies = UdpBattery(daemon).PollFor(3s);
    EXPECT_EQ(static_cast<int>(replies.results.size()), replies.polls);
    EXPECT_LT(replies.Distinct(), replies.results.size());
}

class WebSocketBattery {
public:
    explicit WebSocketBattery(const RunningDaemon& daemon) : client_(daemon.http_port) {}

    Replies PollFor(Clock::duration duration, Clock::duration period = 250ms) {
        return test::PollFor(
            duration, period, [&](int id) { client_.SendText(Poll(id)); },
            [&](Clock::duration timeout) {
                return client_.ReadText(
                    std::chrono::duration_cast<std::chrono::milliseconds>(timeout));
            });
    }

private:
    WebSocketClient client_;
};

// A Hoymiles-like client firing 4×/s over the WebSocket without waiting for answers.
TEST(SampleGatingTest, WebSocketHoldAnswersOncePerNewReading) {
    TempDir dir;
    RunningDaemon daemon = Start(dir, "max_hold = 3.0", 1.0); // hold: the default
    Replies replies = WebSocketBattery(daemon).PollFor(5s);
    EXPECT_GE(replies.polls, 18);
    EXPECT_GE(replies.results.size(), 4u);
    EXPECT_LE(replies.results.size(), 7u);
    EXPECT_EQ(replies.Distinct(), replies.results.size());
}

TEST(SampleGatingTest, WebSocketHoldAnswersAfterMaxHoldDuringAStall) {
    TempDir dir;
    RunningDaemon daemon = Start(dir, "websocket_repeat_policy = \"hold\"\nmax_hold = 0.6", 10.0);
    WebSocketBattery battery(daemon);
    Replies first = battery.PollFor(200ms, 200ms);
    ASSERT_EQ(first.results.size(), 1u);
    Replies held = battery.PollFor(1500ms, 1500ms);
    ASSERT_EQ(held.results.size(), 1u);
    EXPECT_GE(held.delays[0], 550ms);
    EXPECT_LE(held.delays[0], 1000ms);
    EXPECT_EQ(held.results[0], first.results[0]);
}

TEST(SampleGatingTest, WebSocketDropAndRepeat) {
    TempDir dir;
    RunningDaemon daemon =
        Start(dir, "websocket_repeat_policy = \"drop\"\nudp_repeat_policy = \"repeat\"", 10.0);
    WebSocketBattery battery(daemon);
    EXPECT_EQ(battery.PollFor(250ms).results.size(), 1u);
    EXPECT_TRUE(battery.PollFor(1500ms).results.empty());
    // The UDP policy of the same frontend is "repeat": the transports are gated apart.
    Replies udp = UdpBattery(daemon).PollFor(1s);
    EXPECT_EQ(static_cast<int>(udp.results.size()), udp.polls);
}

HttpResult GetStatus(const RunningDaemon& daemon) {
    return HttpGet(daemon.Url("/rpc/EM.GetStatus?id=0"), 5s);
}

// A libcurl client asking once per 250 ms, each request waiting for its answer.
TEST(SampleGatingTest, HttpHoldAnswersOncePerNewReading) {
    TempDir dir;
    RunningDaemon daemon = Start(dir, "max_hold = 3.0", 1.0); // hold: the default
    std::vector<std::string> bodies;
    auto end = Clock::now() + 4s;
    while (Clock::now() < end && bodies.size() < 40) {
        HttpResult result = GetStatus(daemon);
        ASSERT_EQ(result.status, 200) << result.error << result.body;
        bodies.push_back(result.body);
        std::this_thread::sleep_for(250ms);
    }
    // Each request waits for a reading newer than the last one it got: about one per second.
    EXPECT_GE(bodies.size(), 3u);
    EXPECT_LE(bodies.size(), 6u);
    EXPECT_EQ(std::set(bodies.begin(), bodies.end()).size(), bodies.size());
}

TEST(SampleGatingTest, HttpHoldAnswersAfterMaxHoldDuringAStall) {
    TempDir dir;
    RunningDaemon daemon = Start(dir, "http_repeat_policy = \"hold\"\nmax_hold = 0.6", 10.0);
    HttpResult first = GetStatus(daemon);
    ASSERT_EQ(first.status, 200);
    auto asked = Clock::now();
    HttpResult held = GetStatus(daemon);
    auto waited = Clock::now() - asked;
    ASSERT_EQ(held.status, 200) << held.error;
    EXPECT_GE(waited, 550ms);
    EXPECT_LE(waited, 1000ms);
    EXPECT_EQ(held.body, first.body);
    // What carries no reading is never held.
    auto identity_asked = Clock::now();
    EXPECT_EQ(HttpGet(daemon.Url("/shelly"), 5s).status, 200);
    EXPECT_LT(Clock::now() - identity_asked, 300ms);
    // A whole frame by POST is held as well, and answered with the same reading.
    auto posted = Clock::now();
    HttpResult frame = HttpPost(daemon.Url("/rpc"), Poll(9), 5s);
    EXPECT_GE(Clock::now() - posted, 550ms);
    ASSERT_EQ(frame.status, 200) << frame.error;
    EXPECT_NE(frame.body.find("\"result\":" + first.body), std::string::npos) << frame.body;
}

TEST(SampleGatingTest, HttpDropAnswers503WithRetryAfter) {
    TempDir dir;
    RunningDaemon daemon = Start(dir, "http_repeat_policy = \"drop\"", 10.0);
    EXPECT_EQ(GetStatus(daemon).status, 200);
    HttpResult dropped = GetStatus(daemon);
    EXPECT_EQ(dropped.status, 503);
    EXPECT_EQ(dropped.Header("Retry-After"), "1");
    EXPECT_NE(dropped.body.find("\"code\":503"), std::string::npos) << dropped.body;
}

TEST(SampleGatingTest, HttpRepeatAnswersEveryRequest) {
    TempDir dir;
    RunningDaemon daemon = Start(dir, "", 10.0);
    HttpResult first = GetStatus(daemon);
    HttpResult second = GetStatus(daemon);
    EXPECT_EQ(first.status, 200);
    EXPECT_EQ(second.status, 200);
    EXPECT_EQ(first.body, second.body);
}

// A reload applies the new policy at once and remembers what each client was served; the
// backend restarts with the reload and brings one new reading.
TEST(SampleGatingTest, AReloadAppliesANewPolicy) {
    TempDir dir;
    std::string config =
        dir.Write("meteremu.toml", GatedConfig("udp_repeat_policy = \"repeat\"", 10.0)).string();
    RunningDaemon daemon = StartDaemon(config);
    std::this_thread::sleep_for(300ms);
    UdpBattery battery(daemon);
    EXPECT_EQ(battery.PollFor(500ms).results.size(), 2u); // repeat: both answered
    std::ofstream(config) << GatedConfig("udp_repeat_policy = \"drop\"", 10.0);
    ASSERT_EQ(kill(daemon.process->Pid(), SIGHUP), 0);
    ASSERT_TRUE(daemon.process->WaitForOutput("reloaded: emulating")) << daemon.process->Stderr();
    std::this_thread::sleep_for(300ms); // the restarted backend's first reading
    Replies after = battery.PollFor(1500ms);
    EXPECT_GE(after.polls, 5);
    EXPECT_EQ(after.results.size(), 1u) << "drop answers the new reading once";
}

// Offset and scale per phase reach every client: with the scales at 0 the served powers are
// the offsets alone, whatever the household does.
TEST(SignalShapingDaemonTest, OffsetAndScaleReachTheClients) {
    TempDir dir;
    RunningDaemon daemon = Start(dir,
                                 "scale_a = 0.0\nscale_b = 0.0\nscale_c = 0.0\n"
                                 "offset_a = 20.0\noffset_b = -5.0",
                                 1.0);
    HttpResult status = GetStatus(daemon);
    ASSERT_EQ(status.status, 200) << status.error;
    for (const char* expected : {R"("a_act_power":20.0,)", R"("b_act_power":-5.0,)",
                                 R"("c_act_power":0.0,)", R"("total_act_power":15.000)"})
        EXPECT_NE(status.body.find(expected), std::string::npos)
            << expected << " in " << status.body;
    auto udp = UdpBattery(daemon).PollFor(250ms);
    ASSERT_EQ(udp.results.size(), 1u);
    EXPECT_NE(udp.results[0].find(R"("a_act_power":20.0,)"), std::string::npos);
}

// Stopping the daemon while a request is held: it exits in time, and the held request ends
// (its connection closes with the server, as any in flight): libmicrohttpd must find no
// connection suspended when it stops.
TEST(SampleGatingTest, StopEndsHeldRequests) {
    TempDir dir;
    RunningDaemon daemon = Start(dir, "http_repeat_policy = \"hold\"\nmax_hold = 30.0", 10.0);
    ASSERT_EQ(GetStatus(daemon).status, 200);
    HttpResult held;
    std::jthread client([&] { held = GetStatus(daemon); });
    std::this_thread::sleep_for(500ms); // held by now
    auto stopping = Clock::now();
    EXPECT_EQ(daemon.process->Stop(SIGTERM, 10s), 0) << daemon.process->Stderr();
    EXPECT_LT(Clock::now() - stopping, 3s);
    client.join();
    EXPECT_LT(Clock::now() - stopping, 3s) << "the held request outlived the server";
}

} // namespace
} // namespace meteremu::test
