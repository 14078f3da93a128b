// SPDX-License-Identifier: MIT
// The simulator's socket-level mode: the real daemon (meteremu-test, with the `feed` test
// backend) in the loop instead of the in-process MeterState. The house, the source meter and
// a battery model run on the wall clock; the source's samples reach the daemon through the
// feed file, and the battery polls it over UDP with the Shelly JSON-RPC request a Marstek
// sends, applying each reply's total_act_power. Short (real time), so it asserts what the
// socket path must share with the in-process model: the loop closes, and the daemon serves
// repeats at the rate the model predicts (docs/simulator.md#socket-level-mode).
#include "battery.hpp"
#include "house.hpp"
#include "meter_source.hpp"
#include "metrics.hpp"
#include "scenarios.hpp"
#include "simulation.hpp"
#include "support/daemon_process.hpp"
#include "support/feed_backend.hpp"
#include "support/temp_dir.hpp"
#include "support/udp_client.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <map>
#include <regex>
#include <stdexcept>
#include <thread>

namespace meteremu::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr double kRunSeconds = 40;
constexpr const char* kMarstekPoll = R"({"id":1,"method":"EM.GetStatus","params":{"id":0}})";

std::string FeedConfig(const std::filesystem::path& feed, const std::string& udp_policy) {
    return "[frontend]\nmac = \"02:00:5E:10:20:40\"\nlisten_address = \"127.0.0.1\"\n"
           "http_port = 0\nudp_ports = [0]\nmdns = false\nudp_repeat_policy = \"" +
           udp_policy + "\"\n\n[backend]\ntype = \"feed\"\nfeed_file = \"" + feed.string() +
           "\"\npoll_interval = 0.02\n";
}

std::optional<double> TotalActPower(const std::string& reply) {
    static const std::regex total(R"("total_act_power":(-?[0-9.]+))");
    std::smatch match;
    if (!std::regex_search(reply, match, total)) return std::nullopt;
    return std::stod(match[1]);
}

struct SocketRun {
    int polls = 0;
    int answered = 0;
    int repeats = 0;
    std::vector<double> grid_w; ///< per 10 ms tick
    std::vector<double> battery_w;
};

/// One battery polling the daemon at `port` while the house and the source run in real time.
class SocketLoop {
public:
    SocketLoop(std::uint16_t port, std::filesystem::path feed)
        : port_(port), feed_(std::move(feed)), random_(1), battery_(*sim::MakeBattery("venus-e3")),
          source_(*sim::SourcePreset("1s", 0.0), random_.Fork()) {
        sim::HouseSpec house = *sim::ScenarioHouse("steady", METEREMU_SIM_FIXTURES);
        house.duration_s = kRunSeconds;
        house_ = sim::BuildHouse(house, random_);
    }

    SocketRun Run() {
        start_ = Clock::now();
        for (std::size_t tick = 0; tick < house_.load_w.size();) {
            double now = Seconds(Clock::now() - start_).count();
            for (; tick < house_.load_w.size() && sim::ToSeconds(tick * sim::kTick) <= now; ++tick)
                Step(tick);
            DeliverSamples(now);
            Poll(now);
        }
        return std::move(run_);
    }

private:
    void Step(std::size_t tick) {
        battery_.Advance(sim::ToSeconds(sim::kTick));
        double grid = house_.load_w[tick] - battery_.Output();
        run_.grid_w.push_back(grid);
        run_.battery_w.push_back(battery_.Output());
        if (auto sample = source_.Tick(static_cast<sim::SimTime>(tick) * sim::kTick, {grid, 0, 0}))
            pending_.push_back(*sample);
    }

    void DeliverSamples(double now) {
        while (!pending_.empty() && sim::ToSeconds(pending_.front().arrives_at) <= now) {
            WriteFeedSample(feed_, ++sequence_, pending_.front().grid_w);
            pending_.pop_front();
        }
    }

    /// Waits for a reply at most 5 ms per call, so the house keeps its 10 ms ticks.
    void Poll(double now) {
        const sim::BatterySpec& spec = battery_.Spec();
        if (!waiting_ && now >= next_poll_) {
            ++run_.polls;
            client_.Send("127.0.0.1", port_, kMarstekPoll);
            waiting_ = true;
            sent_at_ = now;
        }
        if (!waiting_) {
            std::this_thread::sleep_for(2ms); // the next tick, without spinning
            return;
        }
        std::optional<Datagram> reply = client_.Receive(5ms);
        std::optional<double> total = reply ? TotalActPower(reply->text) : std::nullopt;
        if (total) {
            ++run_.answered;
            if (last_served_ && *total == *last_served_) ++run_.repeats;
            last_served_ = total;
            battery_.OnReading(*total);
        } else if (now - sent_at_ < spec.reply_timeout_s) {
            return;
        }
        waiting_ = false;
        next_poll_ = Seconds(Clock::now() - start_).count() + spec.poll_interval_s +
                     random_.Uniform(-spec.poll_jitter_s, spec.poll_jitter_s);
    }

    std::uint16_t port_;
    std::filesystem::path feed_;
    sim::Random random_;
    sim::Battery battery_;
    sim::MeterSource source_;
    sim::HouseProfile house_;
    UdpClient client_{"127.0.0.1"};
    std::deque<sim::Sample> pending_;
    std::uint64_t sequence_ = 0;
    Clock::time_point start_;
    bool waiting_ = false;
    double sent_at_ = 0;
    double next_poll_ = 0.5;
    std::optional<double> last_served_;
    SocketRun run_;
};

/// p95 − p5 of the grid over the second half of the run (the first half ramps up).
double LateSpread(const SocketRun& run) {
    std::vector<double> late(run.grid_w.begin() + static_cast<long>(run.grid_w.size() / 2),
                             run.grid_w.end());
    return sim::Percentile(late, 95) - sim::Percentile(late, 5);
}

double LateMean(const std::vector<double>& values) {
    double sum = 0;
    for (std::size_t tick = values.size() / 2; tick < values.size(); ++tick)
        sum += values[tick];
    return sum / static_cast<double>(values.size() - values.size() / 2);
}

/// One run against a daemon under `policy` (its udp_repeat_policy).
SocketRun RunAgainstDaemon(const std::string& policy) {
    TempDir dir;
    std::filesystem::path feed = dir.Path() / "feed";
    ChildProcess daemon({METEREMU_TEST_DAEMON_BINARY, "--config",
                         dir.Write("meteremu.toml", FeedConfig(feed, policy)).string()});
    auto port = daemon.WaitForOutput(R"(serving UDP on [^\n]*:(\d+))");
    if (!port) throw std::runtime_error("meteremu-test did not serve UDP:\n" + daemon.Stderr());
    return SocketLoop(static_cast<std::uint16_t>(std::stoi((*port)[1])), feed).Run();
}

TEST(SimSocketTest, AVenusPollingTheDaemonOverUdpSeesWhatTheModelPredicts) {
    // The daemon's udp_repeat_policy and the in-process policy that models it. Both in one
    // test, so that the spreads compared come from two runs on the same machine.
    std::map<std::string, double> spread;
    for (auto [daemon_policy, model_policy] : {std::pair{"repeat", "main"}, {"hold", "hold"}}) {
        SocketRun run = RunAgainstDaemon(daemon_policy);
        sim::Cell cell{"steady", "venus-e3", "1s", 0.0, model_policy};
        sim::Metrics model =
            sim::Measure(sim::Simulate(sim::MakeRun(cell, 1, METEREMU_SIM_FIXTURES)));
        double repeat_ratio = static_cast<double>(run.repeats) / std::max(1, run.answered);
        spread[daemon_policy] = LateSpread(run);
        std::printf("%s: polls %d, answered %d, repeat ratio %.3f (in-process %.3f), late "
                    "spread %.0f W (in-process, whole run: %.0f W), late output %.0f W\n",
                    daemon_policy, run.polls, run.answered, repeat_ratio, model.repeat_ratio,
                    spread[daemon_policy], model.grid_p2p_w, LateMean(run.battery_w));
        // The loop closed through the sockets: the battery covers the house's 400 W.
        ASSERT_GT(run.polls, 40) << daemon_policy;
        EXPECT_NEAR(LateMean(run.battery_w), 400, 60) << daemon_policy;
        // The daemon serves repeats (and leaves polls unanswered) at the rate the in-process
        // model of its policy says: a Venus E 3.0 polls every 0.45 s, the source every 1 s.
        EXPECT_NEAR(repeat_ratio, model.repeat_ratio, 0.15) << daemon_policy;
        EXPECT_NEAR(1.0 - static_cast<double>(run.answered) / run.polls, model.unanswered_ratio,
                    0.15)
            << daemon_policy;
    }
    // repeat: about half the replies carry a sample already served, and the grid hunts; hold:
    // none, and the grid stays calm.
    EXPECT_LT(spread["hold"], spread["repeat"] / 2);
}

} // namespace
} // namespace meteremu::test
