// SPDX-License-Identifier: MIT
// The freshness probe, which is also the load of the freshness phase: N kept-alive HTTP
// clients and M UDP clients poll EM.GetStatus in closed loops (one request in flight each),
// all on one thread with epoll. Each reply's total_act_power is read; the first moment any
// client of a transport has a new value is noted (CLOCK_MONOTONIC, when the reply was read).
// With many clients polling, that moment follows meteremu's publication of the reading by
// about one reply's service time, so against the moment the reading left the gateway
// (bench_tcp_relay) it is the reading's age at reply. A reply with an older value to a
// request sent after a newer value was seen is stale: counted.
//   bench_freshness_probe --http-port N --udp-port N --seconds S [--http-clients 16]
//                         [--udp-clients 4]
// Prints "http|udp <ns> <total_act_power>" per new value, then
// "requests http=.. udp=.. stale=.. bad=..".
#include "bench_util.hpp"

#include <map>
#include <sys/epoll.h>
#include <unistd.h>

namespace {

using namespace meteremu::bench;

constexpr std::string_view kHttpRequest =
    "GET /rpc/EM.GetStatus?id=0 HTTP/1.1\r\nHost: bench\r\nUser-Agent: bench-freshness\r\n\r\n";
constexpr std::string_view kUdpRequest =
    R"({"id":7,"src":"freshness","method":"EM.GetStatus","params":{"id":0}})";

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
    std::map<std::string, std::int64_t> first_seen;
    long requests = 0, stale = 0, bad = 0;

    void Saw(std::string_view reply, std::int64_t sent_at, std::int64_t now) {
        ++requests;
        std::string_view value = TotalPower(reply);
        if (value.empty()) {
            ++bad;
            return;
        }
        if (value == latest) return;
        auto known = first_seen.find(std::string(value));
        if (known != first_seen.end()) {
            // An older value: stale if asked for after the newer one was already served.
            if (sent_at > latest_at) ++stale;
            return;
        }
        latest.assign(value);
        latest_at = now;
        first_seen.emplace(latest, now);
        std::printf("%s %lld %s\n", name, static_cast<long long>(now), latest.c_str());
    }
};

struct Client {
    int fd = -1;
    bool http = false;
    std::int64_t sent_at = 0;
    std::string buffer;
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

class Probe {
public:
    Probe(std::uint16_t http_port, int http_clients, std::uint16_t udp_port, int udp_clients)
        : epoll_(epoll_create1(0)) {
        for (int i = 0; i < http_clients + udp_clients; ++i) {
            bool is_http = i < http_clients;
            Client client;
            client.http = is_http;
            client.fd = is_http ? socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)
                                : BoundSocket(SOCK_DGRAM, 0);
            sockaddr_in server = Loopback(is_http ? http_port : udp_port);
            if (connect(client.fd, reinterpret_cast<sockaddr*>(&server), sizeof server))
                throw std::runtime_error("cannot connect to meteremu");
            epoll_event event{EPOLLIN, {.u32 = static_cast<std::uint32_t>(clients_.size())}};
            epoll_ctl(epoll_, EPOLL_CTL_ADD, client.fd, &event);
            clients_.push_back(std::move(client));
        }
    }

    void Run(std::int64_t end) {
        for (Client& client : clients_)
            Send(client);
        epoll_event events[64];
        std::string body;
        while (NowNs() < end) {
            int count = epoll_wait(epoll_, events, 64, 50);
            for (int i = 0; i < count; ++i) {
                Client& client = clients_[events[i].data.u32];
                char chunk[16384];
                ssize_t size = recv(client.fd, chunk, sizeof chunk, MSG_DONTWAIT);
                std::int64_t now = NowNs();
                if (size <= 0) {
                    if (client.http) throw std::runtime_error("HTTP connection lost");
                    continue;
                }
                if (!client.http) {
                    udp.Saw(std::string_view(chunk, static_cast<size_t>(size)), client.sent_at,
                            now);
                    Send(client);
                    continue;
                }
                client.buffer.append(chunk, static_cast<size_t>(size));
                if (!TakeResponse(client.buffer, body)) continue;
                http.Saw(body, client.sent_at, now);
                Send(client);
            }
            ResendLostDatagrams();
        }
    }

    Transport http{"http"};
    Transport udp{"udp"};

private:
    void Send(Client& client) {
        std::string_view request = client.http ? kHttpRequest : kUdpRequest;
        client.sent_at = NowNs();
        send(client.fd, request.data(), request.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    }

    /// UDP has no retry of its own: a reply lost for 200 ms (say, stale data under
    /// on_stale = silent) is asked for again.
    void ResendLostDatagrams() {
        std::int64_t now = NowNs();
        for (Client& client : clients_)
            if (!client.http && now - client.sent_at > 200'000'000) {
                ++udp.bad;
                Send(client);
            }
    }

    int epoll_;
    std::vector<Client> clients_;
};

} // namespace

int main(int argc, char** argv) try {
    auto http_port = static_cast<std::uint16_t>(NumberOption(argc, argv, "--http-port", 0));
    auto udp_port = static_cast<std::uint16_t>(NumberOption(argc, argv, "--udp-port", 0));
    double seconds = std::stod(Option(argc, argv, "--seconds", "10"));
    if (!http_port || !udp_port) {
        std::fprintf(stderr, "usage: bench_freshness_probe --http-port N --udp-port N "
                             "--seconds S [--http-clients 16] [--udp-clients 4]\n");
        return 64;
    }
    Probe probe(http_port, static_cast<int>(NumberOption(argc, argv, "--http-clients", 16)),
                udp_port, static_cast<int>(NumberOption(argc, argv, "--udp-clients", 4)));
    probe.Run(NowNs() + static_cast<std::int64_t>(seconds * 1e9));
    std::printf("requests http=%ld udp=%ld stale=%ld bad=%ld\n", probe.http.requests,
                probe.udp.requests, probe.http.stale + probe.udp.stale,
                probe.http.bad + probe.udp.bad);
    return 0;
} catch (const std::exception& error) {
    std::fprintf(stderr, "bench_freshness_probe: %s\n", error.what());
    return 1;
}
