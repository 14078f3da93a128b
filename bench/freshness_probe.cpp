// SPDX-License-Identifier: MIT
// The freshness probe: one kept-alive HTTP client and one UDP client, each on a thread of its
// own, poll EM.GetStatus every --pause-us while the loads run, and note the moment
// (CLOCK_MONOTONIC, when the reply was read) each new total_act_power first shows. Set
// against the moment the reading left the gateway (bench_tcp_relay), that is the reading's
// age at reply, give or take one pause. Each sighting also carries when the last request that
// still got the older value was sent: meteremu published the new reading after that moment
// and before the sighting, so the two bound its own part from below and above (the upper
// bound includes the round trip of the probe's own request through the loaded server, which
// the line's last figure tells). It runs at a high priority (bench/run_bench.py) so
// that its clock readings are prompt, and pauses so that it does not take a core from the
// daemon doing so. A reply with an older value to a request sent after a newer value was
// seen is stale: counted. Without --http-port only the UDP client polls (the push sources'
// phases: a battery's transport). SIGTERM ends the run early, with the totals printed.
//   bench_freshness_probe [--http-port N] --udp-port N --seconds S [--pause-us 100]
// Prints "http|udp <ns> <total_act_power> <old_sent_ns> <round_trip_ns>" per new value, then
// "requests http=.. udp=.. stale=.. bad=..".
#include "bench_util.hpp"

#include <atomic>
#include <csignal>
#include <map>
#include <mutex>
#include <sys/prctl.h>
#include <thread>
#include <unistd.h>

namespace {

using namespace meteremu::bench;

constexpr std::string_view kHttpRequest =
    "GET /rpc/EM.GetStatus?id=0 HTTP/1.1\r\nHost: bench\r\nUser-Agent: bench-freshness\r\n\r\n";
constexpr std::string_view kUdpRequest =
    R"({"id":7,"src":"freshness","method":"EM.GetStatus","params":{"id":0}})";

std::mutex output_mutex;
std::atomic<bool> stop_requested{false}; // lock-free: set from the SIGTERM handler

bool Polling(std::int64_t end) {
    return NowNs() < end && !stop_requested.load(std::memory_order_relaxed);
}

/// The text of "total_act_power":<value> in `reply`, or "" when absent (an error reply).
std::string_view TotalPower(std::string_view reply) {
    constexpr std::string_view kKey = "\"total_act_power\":";
    size_t at = reply.find(kKey);
    if (at == std::string_view::npos) return {};
    reply.remove_prefix(at + kKey.size());
    return reply.substr(0, reply.find_first_of(",}"));
}

/// What one transport's clients have seen.
struct Transport {
    explicit Transport(const char* transport_name) : name(transport_name) {}

    const char* name;
    std::string latest; ///< the newest value any client has had
    std::int64_t latest_at = 0;
    std::int64_t latest_sent_at = 0; ///< when the last request that got `latest` was sent
    std::map<std::string, std::int64_t> first_seen;
    long requests = 0, stale = 0, bad = 0;

    void Saw(std::string_view reply, std::int64_t sent_at, std::int64_t now) {
        ++requests;
        std::string_view value = TotalPower(reply);
        if (value.empty()) {
            ++bad;
            return;
        }
        if (value == latest) {
            latest_sent_at = sent_at;
            return;
        }
        auto known = first_seen.find(std::string(value));
        if (known != first_seen.end()) {
            // An older value: stale if asked for after the newer one was already served.
            if (sent_at > latest_at) ++stale;
            return;
        }
        latest.assign(value);
        latest_at = now;
        first_seen.emplace(latest, now);
        std::lock_guard lock(output_mutex);
        std::printf("%s %lld %s %lld %lld\n", name, static_cast<long long>(now), latest.c_str(),
                    static_cast<long long>(latest_sent_at), static_cast<long long>(now - sent_at));
        latest_sent_at = sent_at;
    }
};

/// A whole HTTP/1.1 response at the front of `buffer`: its body, and the buffer advanced.
bool TakeResponse(std::string& buffer, std::string& body) {
    size_t end = buffer.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    size_t length_at = buffer.find("Content-Length: ");
    if (length_at == std::string::npos || length_at > end)
        throw std::runtime_error("HTTP reply without Content-Length");
    size_t length = std::stoul(buffer.substr(length_at + 16, 12));
    if (buffer.size() < end + 4 + length) return false;
    body.assign(buffer, end + 4, length);
    buffer.erase(0, end + 4 + length);
    return true;
}

void Pause(long microseconds) {
    timespec pause{0, microseconds * 1000};
    nanosleep(&pause, nullptr);
}

int Connected(int type, std::uint16_t port) {
    int fd = type == SOCK_STREAM ? socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)
                                 : BoundSocket(SOCK_DGRAM, 0);
    sockaddr_in server = Loopback(port);
    if (connect(fd, reinterpret_cast<sockaddr*>(&server), sizeof server))
        throw std::runtime_error("cannot connect to meteremu");
    timeval timeout{0, 200000}; // a lost datagram (stale data under on_stale = silent)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    return fd;
}

void PollHttp(std::uint16_t port, std::int64_t end, long pause_us, Transport& seen) {
    int fd = Connected(SOCK_STREAM, port);
    std::string buffer, body;
    char chunk[16384];
    while (Polling(end)) {
        std::int64_t sent_at = NowNs();
        send(fd, kHttpRequest.data(), kHttpRequest.size(), MSG_NOSIGNAL);
        while (!TakeResponse(buffer, body)) {
            ssize_t size = recv(fd, chunk, sizeof chunk, 0);
            if (size <= 0) throw std::runtime_error("HTTP connection lost");
            buffer.append(chunk, static_cast<size_t>(size));
        }
        seen.Saw(body, sent_at, NowNs());
        Pause(pause_us);
    }
    close(fd);
}

void PollUdp(std::uint16_t port, std::int64_t end, long pause_us, Transport& seen) {
    int fd = Connected(SOCK_DGRAM, port);
    char reply[8192];
    while (Polling(end)) {
        std::int64_t sent_at = NowNs();
        send(fd, kUdpRequest.data(), kUdpRequest.size(), 0);
        ssize_t size = recv(fd, reply, sizeof reply, 0);
        if (size > 0)
            seen.Saw(std::string_view(reply, static_cast<size_t>(size)), sent_at, NowNs());
        else
            ++seen.bad;
        Pause(pause_us);
    }
    close(fd);
}

} // namespace

int main(int argc, char** argv) try {
    auto http_port = static_cast<std::uint16_t>(NumberOption(argc, argv, "--http-port", 0));
    auto udp_port = static_cast<std::uint16_t>(NumberOption(argc, argv, "--udp-port", 0));
    double seconds = std::stod(Option(argc, argv, "--seconds", "10"));
    long pause_us = NumberOption(argc, argv, "--pause-us", 100);
    if (!udp_port) {
        std::fprintf(stderr, "usage: bench_freshness_probe [--http-port N] --udp-port N "
                             "--seconds S [--pause-us 100]\n");
        return 64;
    }
    prctl(PR_SET_TIMERSLACK, 1000UL); // pauses of the length asked, not 50 µs more
    std::signal(SIGTERM, [](int) { stop_requested.store(true, std::memory_order_relaxed); });
    std::int64_t end = NowNs() + static_cast<std::int64_t>(seconds * 1e9);
    Transport http{"http"}, udp{"udp"};
    bool failed = false;
    auto guarded = [&failed](auto poll) {
        try {
            poll();
        } catch (const std::exception& error) {
            std::fprintf(stderr, "bench_freshness_probe: %s\n", error.what());
            failed = true;
        }
    };
    std::thread http_thread;
    if (http_port)
        http_thread = std::thread(guarded, [&] { PollHttp(http_port, end, pause_us, http); });
    std::thread udp_thread(guarded, [&] { PollUdp(udp_port, end, pause_us, udp); });
    if (http_thread.joinable()) http_thread.join();
    udp_thread.join();
    std::printf("requests http=%ld udp=%ld stale=%ld bad=%ld\n", http.requests, udp.requests,
                http.stale + udp.stale, http.bad + udp.bad);
    return failed ? 1 : 0;
} catch (const std::exception& error) {
    std::fprintf(stderr, "bench_freshness_probe: %s\n", error.what());
    return 1;
}
