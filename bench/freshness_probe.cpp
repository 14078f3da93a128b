// SPDX-License-Identifier: MIT
// The freshness probe: one HTTP client (kept alive) and one UDP client, each polling
// EM.GetStatus in a closed loop on a thread of its own while the loads run, and noting the
// moment (CLOCK_MONOTONIC, taken when the reply is in) each new total_act_power first shows.
// Set against the moment the reading left the gateway (bench_tcp_relay), that is the age of
// the reading at reply.
//   bench_freshness_probe --http-port N --udp-port N --seconds S
// Prints "http|udp <ns> <total_act_power>" per change, then "requests http=.. udp=.. bad=..".
#include "bench_util.hpp"

#include <atomic>
#include <mutex>
#include <thread>
#include <unistd.h>

namespace {

using namespace meteremu::bench;

constexpr std::string_view kHttpRequest =
    "GET /rpc/EM.GetStatus?id=0 HTTP/1.1\r\nHost: bench\r\nUser-Agent: bench-freshness\r\n\r\n";
constexpr std::string_view kUdpRequest =
    R"({"id":7,"src":"freshness","method":"EM.GetStatus","params":{"id":0}})";

std::mutex output_mutex;

/// The text of "total_act_power":<value> in `reply`, or "" when absent (an error reply).
std::string_view TotalPower(std::string_view reply) {
    constexpr std::string_view kKey = "\"total_act_power\":";
    size_t at = reply.find(kKey);
    if (at == std::string_view::npos) return {};
    reply.remove_prefix(at + kKey.size());
    return reply.substr(0, reply.find_first_of(",}"));
}

struct Watch {
    const char* name;
    std::string last;
    long requests = 0;
    long bad = 0;

    void Saw(std::string_view reply, std::int64_t at) {
        ++requests;
        std::string_view value = TotalPower(reply);
        if (value.empty()) {
            ++bad;
            return;
        }
        if (value == last) return;
        last.assign(value);
        std::lock_guard lock(output_mutex);
        std::printf("%s %lld %s\n", name, static_cast<long long>(at), last.c_str());
    }
};

/// One HTTP/1.1 response on a kept-alive connection: headers, then Content-Length bytes.
bool ReadResponse(int fd, std::string& buffer, std::string& body) {
    buffer.clear();
    for (;;) {
        size_t end = buffer.find("\r\n\r\n");
        if (end != std::string::npos) {
            size_t length_at = buffer.find("Content-Length: ");
            if (length_at == std::string::npos || length_at > end) return false;
            size_t length = std::stoul(buffer.substr(length_at + 16));
            if (buffer.size() >= end + 4 + length) {
                body.assign(buffer, end + 4, length);
                return true;
            }
        }
        char chunk[4096];
        ssize_t size = recv(fd, chunk, sizeof chunk, 0);
        if (size <= 0) return false;
        buffer.append(chunk, static_cast<size_t>(size));
    }
}

void PollHttp(std::uint16_t port, std::int64_t end, Watch& watch) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address = Loopback(port);
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address))
        throw std::runtime_error("cannot connect to the HTTP port");
    std::string buffer, body;
    while (NowNs() < end) {
        send(fd, kHttpRequest.data(), kHttpRequest.size(), MSG_NOSIGNAL);
        if (!ReadResponse(fd, buffer, body)) throw std::runtime_error("HTTP connection lost");
        watch.Saw(body, NowNs());
    }
    close(fd);
}

void PollUdp(std::uint16_t port, std::int64_t end, Watch& watch) {
    int fd = BoundSocket(SOCK_DGRAM, 0);
    sockaddr_in address = Loopback(port);
    connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    timeval timeout{0, 200000}; // a lost reply (stale data under on_stale = silent)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    char reply[8192];
    while (NowNs() < end) {
        send(fd, kUdpRequest.data(), kUdpRequest.size(), 0);
        ssize_t size = recv(fd, reply, sizeof reply, 0);
        std::int64_t at = NowNs();
        if (size > 0)
            watch.Saw(std::string_view(reply, static_cast<size_t>(size)), at);
        else
            ++watch.bad;
    }
    close(fd);
}

} // namespace

int main(int argc, char** argv) try {
    auto http_port = static_cast<std::uint16_t>(NumberOption(argc, argv, "--http-port", 0));
    auto udp_port = static_cast<std::uint16_t>(NumberOption(argc, argv, "--udp-port", 0));
    double seconds = std::stod(Option(argc, argv, "--seconds", "10"));
    if (!http_port || !udp_port) {
        std::fprintf(stderr, "usage: bench_freshness_probe --http-port N --udp-port N "
                             "--seconds S\n");
        return 64;
    }
    std::int64_t end = NowNs() + static_cast<std::int64_t>(seconds * 1e9);
    Watch http{"http", {}}, udp{"udp", {}};
    std::atomic<bool> failed{false};
    auto guarded = [&failed](auto poll) {
        try {
            poll();
        } catch (const std::exception& error) {
            std::fprintf(stderr, "bench_freshness_probe: %s\n", error.what());
            failed = true;
        }
    };
    std::thread http_thread(guarded, [&] { PollHttp(http_port, end, http); });
    std::thread udp_thread(guarded, [&] { PollUdp(udp_port, end, udp); });
    http_thread.join();
    udp_thread.join();
    std::printf("requests http=%ld udp=%ld bad=%ld\n", http.requests, udp.requests,
                http.bad + udp.bad);
    return failed ? 1 : 0;
} catch (const std::exception& error) {
    std::fprintf(stderr, "bench_freshness_probe: %s\n", error.what());
    return 1;
}
