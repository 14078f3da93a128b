// SPDX-License-Identifier: MIT
// The WebSocket fan-out measurement: N clients connect to /rpc, each sends one request with
// its own "src" (which subscribes it to NotifyStatus, as Home Assistant does), then all wait
// for the pushes that follow each new reading. For every push round (one "ts") it notes when
// the first and the last client had it (CLOCK_MONOTONIC, when the frame was read: a late
// read only makes the daemon look slower). One thread and epoll for all clients.
//   bench_websocket_fanout --port N [--clients 1000] [--rounds 5] [--seconds 30]
// Prints "connected=<n>", one "round <ts> <first_ns> <last_ns> <clients>" per complete round
// (or incomplete, at the end), and "done rounds=<n>".
#include "bench_util.hpp"

#include <map>
#include <sys/epoll.h>
#include <unistd.h>

namespace {

using namespace meteremu::bench;

struct Client {
    int fd = -1;
    std::string buffer;
};

struct Round {
    std::int64_t first = 0;
    std::int64_t last = 0;
    int clients = 0;
};

std::string MaskedTextFrame(std::string_view payload) {
    const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
    std::string frame;
    frame += static_cast<char>(0x81);
    if (payload.size() < 126) {
        frame += static_cast<char>(0x80 | payload.size());
    } else {
        frame += static_cast<char>(0x80 | 126);
        frame += static_cast<char>(payload.size() >> 8);
        frame += static_cast<char>(payload.size() & 0xff);
    }
    frame.append(reinterpret_cast<const char*>(mask), 4);
    for (size_t i = 0; i < payload.size(); ++i)
        frame += static_cast<char>(payload[i] ^ mask[i % 4]);
    return frame;
}

/// The next whole server frame's payload from `buffer` (removed), or false.
bool NextFrame(std::string& buffer, std::string& payload) {
    if (buffer.size() < 2) return false;
    auto byte = [&](size_t i) { return static_cast<unsigned char>(buffer[i]); };
    size_t length = byte(1) & 0x7f, header = 2;
    if (length == 126) {
        if (buffer.size() < 4) return false;
        length = (size_t{byte(2)} << 8) | byte(3);
        header = 4;
    } else if (length == 127) {
        if (buffer.size() < 10) return false;
        length = 0;
        for (size_t i = 2; i < 10; ++i)
            length = (length << 8) | byte(i);
        header = 10;
    }
    if (buffer.size() < header + length) return false;
    payload.assign(buffer, header, length);
    buffer.erase(0, header + length);
    return true;
}

/// Opens the WebSocket and subscribes (one request with a src, its answer read); -1 when
/// the server refused or closed.
int OpenClient(std::uint16_t port, int index) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address = Loopback(port);
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address)) return close(fd), -1;
    std::string request = "GET /rpc HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                          "Sec-WebSocket-Version: 13\r\n\r\n";
    request += MaskedTextFrame(R"({"id":1,"src":"fanout)" + std::to_string(index) +
                               R"(","method":"EM.GetStatus","params":{"id":0}})");
    send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    timeval timeout{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    std::string buffer, payload;
    while (buffer.find("\r\n\r\n") == std::string::npos) {
        char chunk[4096];
        ssize_t size = recv(fd, chunk, sizeof chunk, 0);
        if (size <= 0) return close(fd), -1;
        buffer.append(chunk, static_cast<size_t>(size));
    }
    if (!buffer.starts_with("HTTP/1.1 101")) return close(fd), -1;
    buffer.erase(0, buffer.find("\r\n\r\n") + 4);
    while (!NextFrame(buffer, payload)) {
        char chunk[4096];
        ssize_t size = recv(fd, chunk, sizeof chunk, 0);
        if (size <= 0) return close(fd), -1;
        buffer.append(chunk, static_cast<size_t>(size));
    }
    // The answer to the request; a close frame (too many clients) is not a text frame.
    return payload.find("\"result\"") != std::string::npos ? fd : (close(fd), -1);
}

/// "ts":<value> of a NotifyStatus, which names the push round.
std::string RoundOf(const std::string& payload) {
    if (payload.find("\"NotifyStatus\"") == std::string::npos) return {};
    size_t at = payload.find("\"ts\":");
    if (at == std::string::npos) return {};
    return payload.substr(at + 5, payload.find_first_of(",}", at) - at - 5);
}

} // namespace

int main(int argc, char** argv) try {
    auto port = static_cast<std::uint16_t>(NumberOption(argc, argv, "--port", 0));
    int wanted = static_cast<int>(NumberOption(argc, argv, "--clients", 1000));
    long rounds_wanted = NumberOption(argc, argv, "--rounds", 5);
    double seconds = std::stod(Option(argc, argv, "--seconds", "30"));
    if (!port) {
        std::fprintf(stderr, "usage: bench_websocket_fanout --port N [--clients 1000] "
                             "[--rounds 5] [--seconds 30]\n");
        return 64;
    }
    RaiseFileLimit();
    int epoll = epoll_create1(0);
    std::vector<Client> clients;
    for (int i = 0; i < wanted; ++i) {
        int fd = OpenClient(port, i);
        if (fd < 0) continue;
        epoll_event event{EPOLLIN, {.u32 = static_cast<std::uint32_t>(clients.size())}};
        epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
        clients.push_back({fd, {}});
    }
    std::printf("connected=%zu\n", clients.size());
    std::fflush(stdout);
    std::map<std::string, Round> rounds;
    long complete = 0;
    std::int64_t end = NowNs() + static_cast<std::int64_t>(seconds * 1e9);
    epoll_event events[256];
    std::string payload;
    while (!clients.empty() && complete < rounds_wanted && NowNs() < end) {
        int count = epoll_wait(epoll, events, 256, 100);
        for (int i = 0; i < count; ++i) {
            Client& client = clients[events[i].data.u32];
            char chunk[16384];
            ssize_t size = recv(client.fd, chunk, sizeof chunk, MSG_DONTWAIT);
            std::int64_t now = NowNs();
            if (size <= 0) continue;
            client.buffer.append(chunk, static_cast<size_t>(size));
            while (NextFrame(client.buffer, payload)) {
                std::string ts = RoundOf(payload);
                if (ts.empty()) continue;
                Round& round = rounds[ts];
                if (!round.clients) round.first = now;
                round.last = now;
                if (++round.clients == static_cast<int>(clients.size())) ++complete;
            }
        }
    }
    for (const auto& [ts, round] : rounds)
        std::printf("round %s %lld %lld %d\n", ts.c_str(), static_cast<long long>(round.first),
                    static_cast<long long>(round.last), round.clients);
    std::printf("done rounds=%ld\n", complete);
    for (const Client& client : clients)
        close(client.fd);
    return 0;
} catch (const std::exception& error) {
    std::fprintf(stderr, "bench_websocket_fanout: %s\n", error.what());
    return 1;
}
