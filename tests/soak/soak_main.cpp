// SPDX-License-Identifier: MIT
// make soak: the built daemon on the demo backend under ten minutes (--seconds) of mixed load
// from every transport: HTTP on a new connection per request and on kept-alive connections,
// WebSocket clients that come and go, UDP. Every answer is checked. The daemon's resident
// memory and open descriptors are sampled: a baseline after a warm-up, with the load paused,
// and the same at the end. Fails on any wrong answer, RSS growth over 1 MiB, any descriptor
// growth, or an unclean exit. Not part of make check: it takes its time on purpose.
#include "support/daemon_process.hpp"
#include "support/http_client.hpp"
#include "support/tcp_client.hpp"
#include "support/temp_dir.hpp"
#include "support/udp_client.hpp"
#include "support/websocket_client.hpp"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace meteremu::test {
namespace {

using Clock = std::chrono::steady_clock;

constexpr long kMaxRssGrowthKib = 1024;

const std::regex
    kEmStatus(R"(\{"id":0,"a_current":-?\d+\.\d{3},[^{}]*"total_act_power":-?\d+\.\d{3},)"
              R"([^{}]*"user_calibrated_phase":\[\]\})");

bool IsEmStatus(const std::string& text) {
    return std::regex_match(text, kEmStatus);
}

/// A response frame with `id` whose result is an EM.GetStatus.
bool IsEmFrame(const std::string& frame, int id) {
    std::string start = "{\"id\":" + std::to_string(id) + ",\"src\":\"shellypro3em-";
    auto result = frame.find("\"result\":");
    return frame.starts_with(start) && result != std::string::npos &&
           IsEmStatus(frame.substr(result + 9, frame.size() - result - 10));
}

std::string EmFrame(int id) {
    return R"({"id":)" + std::to_string(id) +
           R"(,"src":"soak","method":"EM.GetStatus","params":{"id":0}})";
}

long RssKib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);)
        if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
    return -1;
}

int OpenFds(pid_t pid) {
    int count = 0;
    for ([[maybe_unused]] const auto& entry :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd"))
        ++count;
    return count;
}

struct Counters {
    std::atomic<std::uint64_t> http{0}, keepalive{0}, websocket{0}, pushes{0}, udp{0};
    std::atomic<std::uint64_t> wrong{0};
};

void Wrong(Counters& counters, const char* what, const std::string& detail) {
    if (counters.wrong++ < 10)
        std::fprintf(stderr, "soak: wrong answer over %s: %.300s\n", what, detail.c_str());
}

/// The load: one thread per kind, each paced to a few hundred requests a second.
class Load {
public:
    Load(const RunningDaemon& daemon, std::uint16_t udp_port, Counters& counters) {
        threads_.emplace_back(
            [&, url = daemon.Url("/")](std::stop_token stop) { HttpChurn(stop, url, counters); });
        threads_.emplace_back([&, port = daemon.http_port](std::stop_token stop) {
            KeepAlive(stop, port, counters);
        });
        threads_.emplace_back([&, port = daemon.http_port](std::stop_token stop) {
            WebSockets(stop, port, counters);
        });
        threads_.emplace_back(
            [&, udp_port](std::stop_token stop) { Udp(stop, udp_port, counters); });
    }

private:
    static void Pace() { std::this_thread::sleep_for(std::chrono::milliseconds(3)); }

    static void HttpChurn(std::stop_token stop, const std::string& url, Counters& counters) {
        for (int i = 0; !stop.stop_requested(); ++i, Pace()) {
            if (i % 10 == 9) {
                HttpResult reply = HttpPost(url + "rpc", EmFrame(i));
                if (reply.status != 200 || !IsEmFrame(reply.body, i))
                    Wrong(counters, "HTTP POST", reply.body + reply.error);
            } else if (i % 50 == 25) {
                HttpResult reply = HttpGet(url + "rpc/Shelly.GetStatus");
                if (reply.status != 200 ||
                    reply.body.find("\"em:0\":{\"id\":0,") == std::string::npos)
                    Wrong(counters, "HTTP GET Shelly.GetStatus", reply.body + reply.error);
            } else {
                HttpResult reply = HttpGet(url + "rpc/EM.GetStatus?id=0");
                if (reply.status != 200 || !IsEmStatus(reply.body))
                    Wrong(counters, "HTTP GET",
                          std::to_string(reply.status) + " " + reply.body + reply.error);
            }
            ++counters.http;
        }
    }

    static void KeepAlive(std::stop_token stop, std::uint16_t port, Counters& counters) {
        while (!stop.stop_requested()) {
            UniqueFd connection = ConnectFrom("", port);
            // 500 requests on one connection, then a new one.
            for (int i = 0; i < 500 && !stop.stop_requested(); ++i, Pace()) {
                std::string answer =
                    Exchange(connection.Get(), GetRequest("/rpc/EM.GetStatus?id=0"),
                             std::chrono::seconds(2));
                auto body = answer.find("\r\n\r\n");
                if (StatusOf(answer) != 200 || body == std::string::npos ||
                    !IsEmStatus(answer.substr(body + 4)))
                    Wrong(counters, "HTTP keep-alive", answer);
                ++counters.keepalive;
            }
        }
    }

    static void WebSockets(std::stop_token stop, std::uint16_t port, Counters& counters) {
        while (!stop.stop_requested()) {
            WebSocketClient client(port);
            // 300 requests per client, pushes read along the way, then a new client.
            for (int id = 1; id <= 300 && !stop.stop_requested(); ++id, Pace()) {
                client.SendText(EmFrame(id));
                for (;;) {
                    auto text = client.ReadText(std::chrono::seconds(2));
                    if (!text) {
                        Wrong(counters, "WebSocket", "no response frame");
                        break;
                    }
                    if (text->find("\"method\":\"NotifyStatus\"") != std::string::npos) {
                        ++counters.pushes;
                        continue;
                    }
                    if (!IsEmFrame(*text, id)) Wrong(counters, "WebSocket", *text);
                    break;
                }
                ++counters.websocket;
            }
        }
    }

    static void Udp(std::stop_token stop, std::uint16_t port, Counters& counters) {
        UdpClient client("127.0.0.1"); // the host: no reply budget
        for (int id = 1; !stop.stop_requested(); ++id, Pace()) {
            client.Send("127.0.0.1", port, EmFrame(id));
            auto reply = client.Receive(std::chrono::seconds(2));
            // A late reply to an earlier id would show up here as a wrong one.
            if (!reply || !IsEmFrame(reply->text, id))
                Wrong(counters, "UDP", reply ? reply->text : "no reply");
            ++counters.udp;
        }
    }

    std::vector<std::jthread> threads_;
};

struct Sample {
    long rss_kib;
    int fds;
};

Sample Quiet(pid_t pid) {
    // Closed connections leave the server's books a moment after the client closes them.
    std::this_thread::sleep_for(std::chrono::seconds(3));
    return {RssKib(pid), OpenFds(pid)};
}

int Soak(int seconds) {
    int warmup = std::max(5, std::min(60, seconds / 10));
    TempDir dir;
    auto config = dir.Write("soak.toml", DemoTestConfig());
    RunningDaemon daemon = StartDaemon(config.string());
    pid_t pid = daemon.process->Pid();
    std::uint16_t udp_port = daemon.UdpPorts(1)[0];
    auto first = Clock::now() + std::chrono::seconds(10); // the first reading
    while (HttpGet(daemon.Url("/rpc/EM.GetStatus?id=0")).status != 200 && Clock::now() < first)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    Counters counters;
    std::printf("soak: %d s of mixed HTTP, WebSocket and UDP load on meteremu (pid %d), "
                "%d s of warm-up first\n",
                seconds, static_cast<int>(pid), warmup);
    {
        Load load(daemon, udp_port, counters);
        std::this_thread::sleep_for(std::chrono::seconds(warmup));
    }
    Sample start = Quiet(pid);
    std::printf("soak: baseline RSS %ld KiB, %d open fds\n", start.rss_kib, start.fds);
    auto begin = Clock::now();
    auto end = begin + std::chrono::seconds(seconds - warmup);
    long peak = start.rss_kib;
    {
        Load load(daemon, udp_port, counters);
        while (Clock::now() < end) {
            std::this_thread::sleep_until(std::min(end, Clock::now() + std::chrono::seconds(30)));
            long rss = RssKib(pid);
            peak = std::max(peak, rss);
            std::printf("soak: %4.0f s  RSS %ld KiB  fds %d  requests: HTTP %llu, keep-alive %llu, "
                        "WebSocket %llu (+%llu pushes), UDP %llu  wrong %llu\n",
                        std::chrono::duration<double>(Clock::now() - begin).count(), rss,
                        OpenFds(pid), static_cast<unsigned long long>(counters.http.load()),
                        static_cast<unsigned long long>(counters.keepalive.load()),
                        static_cast<unsigned long long>(counters.websocket.load()),
                        static_cast<unsigned long long>(counters.pushes.load()),
                        static_cast<unsigned long long>(counters.udp.load()),
                        static_cast<unsigned long long>(counters.wrong.load()));
            std::fflush(stdout);
        }
    }
    Sample finish = Quiet(pid);
    int status = daemon.process->Stop(SIGTERM);
    long growth = finish.rss_kib - start.rss_kib;
    std::uint64_t total = counters.http + counters.keepalive + counters.websocket + counters.udp;
    std::printf("soak: RSS %ld KiB -> %ld KiB (%+ld KiB, peak %ld KiB), open fds %d -> %d, "
                "%llu requests, %llu wrong answers, exit status %d\n",
                start.rss_kib, finish.rss_kib, growth, peak, start.fds, finish.fds,
                static_cast<unsigned long long>(total),
                static_cast<unsigned long long>(counters.wrong.load()), status);
    bool passed = counters.wrong == 0 && growth <= kMaxRssGrowthKib && finish.fds <= start.fds &&
                  status == 0 && total > 0;
    std::printf("soak: %s\n", passed ? "PASSED" : "FAILED");
    if (!passed) std::fprintf(stderr, "%s", daemon.process->Stderr().c_str());
    return passed ? 0 : 1;
}

} // namespace
} // namespace meteremu::test

int main(int argc, char** argv) {
    int seconds = 600;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::atoi(argv[i + 1]);
    if (seconds < 10) {
        std::fprintf(stderr, "usage: meteremu_soak [--seconds N], N >= 10\n");
        return 2;
    }
    try {
        return meteremu::test::Soak(seconds);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "soak: %s\n", error.what());
        return 1;
    }
}
