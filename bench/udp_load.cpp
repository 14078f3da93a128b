// SPDX-License-Identifier: MIT
// The UDP load generator: N closed-loop clients, each on its own socket with one request in
// flight (a battery polls the same way, one request, wait for the answer, ask again), all
// driven by one thread with epoll so that the generator takes one core and leaves the other
// to the server under test. A reply lost for 200 ms counts as a timeout and is asked again.
//   bench_udp_load --port N [--clients 4] [--seconds 5] [--warmup 1]
//                  [--request JSON] [--expect-bytes N] [--reply-starts-with TEXT]
// A reply counts as bad when its size is not N (when given) or it does not start with TEXT
// (default "{": a JSON-RPC frame).
// Prints one line: requests=.. rate=.. p50_us=.. p99_us=.. timeouts=.. bad=..
#include "bench_util.hpp"

#include <string>
#include <string_view>
#include <sys/epoll.h>
#include <unistd.h>

namespace {

using namespace meteremu::bench;

constexpr std::int64_t kTimeoutNs = 200'000'000;
constexpr const char* kDefaultRequest =
    R"({"id":1,"src":"bench","method":"EM.GetStatus","params":{"id":0}})";

struct Client {
    int fd = -1;
    std::int64_t sent_at = 0;
};

struct Totals {
    std::vector<std::int64_t> latencies;
    long timeouts = 0;
    long bad = 0;
};

class Load {
public:
    Load(std::uint16_t port, int clients, std::string request, long expect_bytes,
         std::string reply_prefix)
        : request_(std::move(request)), expect_bytes_(expect_bytes),
          reply_prefix_(std::move(reply_prefix)), epoll_(epoll_create1(0)) {
        sockaddr_in server = Loopback(port);
        for (int i = 0; i < clients; ++i) {
            Client client;
            client.fd = BoundSocket(SOCK_DGRAM, 0);
            if (connect(client.fd, reinterpret_cast<sockaddr*>(&server), sizeof server))
                throw std::runtime_error("connect failed");
            epoll_event event{EPOLLIN, {.u32 = static_cast<std::uint32_t>(i)}};
            epoll_ctl(epoll_, EPOLL_CTL_ADD, client.fd, &event);
            clients_.push_back(client);
        }
    }

    /// Runs until `end`, recording latencies of replies received after `record_from`.
    void Run(std::int64_t record_from, std::int64_t end, Totals& totals) {
        for (Client& client : clients_)
            Send(client);
        epoll_event events[64];
        char reply[8192];
        while (NowNs() < end) {
            int count = epoll_wait(epoll_, events, 64, 50);
            for (int i = 0; i < count; ++i) {
                Client& client = clients_[events[i].data.u32];
                ssize_t size = recv(client.fd, reply, sizeof reply, MSG_DONTWAIT);
                if (size < 0) continue;
                std::int64_t now = NowNs();
                if (now >= record_from) {
                    totals.latencies.push_back(now - client.sent_at);
                    if ((expect_bytes_ > 0 && size != expect_bytes_) ||
                        !std::string_view(reply, static_cast<std::size_t>(size))
                             .starts_with(reply_prefix_))
                        ++totals.bad;
                }
                Send(client);
            }
            ResendLost(record_from, totals);
        }
    }

private:
    void Send(Client& client) {
        client.sent_at = NowNs();
        send(client.fd, request_.data(), request_.size(), MSG_DONTWAIT);
    }

    void ResendLost(std::int64_t record_from, Totals& totals) {
        std::int64_t now = NowNs();
        for (Client& client : clients_)
            if (now - client.sent_at > kTimeoutNs) {
                if (now >= record_from) ++totals.timeouts;
                Send(client);
            }
    }

    std::string request_;
    long expect_bytes_;
    std::string reply_prefix_;
    int epoll_;
    std::vector<Client> clients_;
};

} // namespace

int main(int argc, char** argv) try {
    auto port = static_cast<std::uint16_t>(NumberOption(argc, argv, "--port", 0));
    if (!port) {
        std::fprintf(stderr, "usage: bench_udp_load --port N [--clients 4] [--seconds 5] "
                             "[--warmup 1] [--request JSON] [--expect-bytes N] "
                             "[--reply-starts-with TEXT]\n");
        return 64;
    }
    int clients = static_cast<int>(NumberOption(argc, argv, "--clients", 4));
    double seconds = std::stod(Option(argc, argv, "--seconds", "5"));
    double warmup = std::stod(Option(argc, argv, "--warmup", "1"));
    Load load(port, clients, Option(argc, argv, "--request", kDefaultRequest),
              NumberOption(argc, argv, "--expect-bytes", 0),
              Option(argc, argv, "--reply-starts-with", "{"));
    std::int64_t start = NowNs();
    auto record_from = start + static_cast<std::int64_t>(warmup * 1e9);
    auto end = record_from + static_cast<std::int64_t>(seconds * 1e9);
    Totals totals;
    load.Run(record_from, end, totals);
    auto requests = static_cast<long>(totals.latencies.size());
    double rate = static_cast<double>(requests) / seconds;
    std::int64_t p50 = Quantile(totals.latencies, 0.50);
    std::int64_t p99 = Quantile(totals.latencies, 0.99);
    std::printf("requests=%ld rate=%.0f p50_us=%.1f p99_us=%.1f timeouts=%ld bad=%ld\n", requests,
                rate, static_cast<double>(p50) / 1e3, static_cast<double>(p99) / 1e3,
                totals.timeouts, totals.bad);
    return 0;
} catch (const std::exception& error) {
    std::fprintf(stderr, "bench_udp_load: %s\n", error.what());
    return 1;
}
