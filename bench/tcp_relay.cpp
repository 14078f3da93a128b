// SPDX-License-Identifier: MIT
// A TCP relay between meteremu and the fake Envoy that notes when bytes pass, so that the
// freshness and fan-out measurements know, from outside the daemon, the moment a reading left
// the gateway: every chunk is logged with its CLOCK_MONOTONIC time taken *before* it is
// forwarded (a late timestamp would flatter the daemon). TLS passes through untouched.
//   bench_tcp_relay --upstream-port N [--port N]
// Prints "port=<p>", then one line per event on stdout:
//   open <ns> <id> | up <ns> <id> <bytes> (daemon → Envoy) | down <ns> <id> <bytes> | close <ns>
//   <id>
#include "bench_util.hpp"

#include <map>
#include <sys/epoll.h>
#include <unistd.h>

namespace {

using namespace meteremu::bench;

struct Pair {
    int client = -1;
    int upstream = -1;
};

/// Writes all of `size` bytes to a blocking-enough peer; the relay only carries a few
/// kilobytes a second, so a short busy wait on EAGAIN is fine.
bool SendAll(int fd, const char* data, ssize_t size) {
    while (size > 0) {
        ssize_t sent = send(fd, data, static_cast<size_t>(size), MSG_NOSIGNAL);
        if (sent < 0 && errno != EAGAIN && errno != EINTR) return false;
        if (sent > 0) {
            data += sent;
            size -= sent;
        }
    }
    return true;
}

class Relay {
public:
    Relay(std::uint16_t port, std::uint16_t upstream_port)
        : listen_(BoundSocket(SOCK_STREAM, port)), upstream_port_(upstream_port),
          epoll_(epoll_create1(0)) {
        if (listen(listen_, 64)) throw std::runtime_error("listen failed");
        Watch(listen_, 0);
    }

    std::uint16_t Port() const { return BoundPort(listen_); }

    [[noreturn]] void Run() {
        epoll_event events[32];
        for (;;) {
            int count = epoll_wait(epoll_, events, 32, -1);
            for (int i = 0; i < count; ++i) {
                if (events[i].data.u64 == 0)
                    Accept();
                else
                    Forward(events[i].data.u64);
            }
        }
    }

private:
    void Watch(int fd, std::uint64_t tag) {
        epoll_event event{EPOLLIN, {.u64 = tag}};
        epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &event);
    }

    void Accept() {
        int client = accept4(listen_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) return;
        int upstream = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address = Loopback(upstream_port_);
        if (connect(upstream, reinterpret_cast<sockaddr*>(&address), sizeof address)) {
            close(client);
            close(upstream);
            return;
        }
        std::uint64_t id = next_id_++;
        pairs_[id] = {client, upstream};
        Watch(client, id * 2);
        Watch(upstream, id * 2 + 1);
        std::printf("open %lld %llu\n", static_cast<long long>(NowNs()),
                    static_cast<unsigned long long>(id));
        std::fflush(stdout);
    }

    /// Tag id*2: the daemon's side sent (up); id*2+1: the Envoy's side sent (down).
    void Forward(std::uint64_t tag) {
        auto found = pairs_.find(tag / 2);
        if (found == pairs_.end()) return;
        bool down = tag % 2 == 1;
        int from = down ? found->second.upstream : found->second.client;
        int to = down ? found->second.client : found->second.upstream;
        char buffer[65536];
        ssize_t size = recv(from, buffer, sizeof buffer, 0);
        if (size > 0) {
            std::int64_t now = NowNs();
            bool sent = SendAll(to, buffer, size);
            std::printf("%s %lld %llu %zd\n", down ? "down" : "up", static_cast<long long>(now),
                        static_cast<unsigned long long>(tag / 2), size);
            std::fflush(stdout);
            if (sent) return;
        } else if (size < 0 && (errno == EAGAIN || errno == EINTR)) {
            return;
        }
        close(found->second.client);
        close(found->second.upstream);
        std::printf("close %lld %llu\n", static_cast<long long>(NowNs()),
                    static_cast<unsigned long long>(tag / 2));
        std::fflush(stdout);
        pairs_.erase(found);
    }

    int listen_;
    std::uint16_t upstream_port_;
    int epoll_;
    std::uint64_t next_id_ = 1;
    std::map<std::uint64_t, Pair> pairs_;
};

} // namespace

int main(int argc, char** argv) try {
    auto upstream = static_cast<std::uint16_t>(NumberOption(argc, argv, "--upstream-port", 0));
    if (!upstream) {
        std::fprintf(stderr, "usage: bench_tcp_relay --upstream-port N [--port N]\n");
        return 64;
    }
    Relay relay(static_cast<std::uint16_t>(NumberOption(argc, argv, "--port", 0)), upstream);
    std::printf("port=%u\n", relay.Port());
    std::fflush(stdout);
    relay.Run();
} catch (const std::exception& error) {
    std::fprintf(stderr, "bench_tcp_relay: %s\n", error.what());
    return 1;
}
