// SPDX-License-Identifier: MIT
// The SMA Speedwire push source of the benchmark and its reference; both run inside the
// network namespaces bench/run_bench.py builds, never on the host's interfaces.
//   --send: an SMA Energy Meter multicasting a captured datagram (tests/fixtures/sma_speedwire)
//   to 239.12.255.254:9522 out of the address --from: --changes datagrams, one every
//   --every-ms, each with a new ticker and a new power: every phase imports --first W (then
//   --step W more each time) and exports nothing, so the meter's net power is three times
//   that. Prints "sent <ns> <ticker> <net watts>", the clock read just before sendto.
//   --listen: the reference, a plain socket joined to the group on the address --on that
//   notes when each datagram is read: the kernel's part, which meteremu cannot beat. Prints
//   "listening", then "received <ns> <ticker>" per datagram until --seconds have passed.
//   Power records: docs/protocols/sma-speedwire.md#datagram.
//   bench_sma_meter --send --capture FILE --from ADDR [--changes 30] [--every-ms 300]
//                   [--first 100] [--step 11.1]
//   bench_sma_meter --listen --on ADDR [--seconds 20]
#include "bench_util.hpp"

#include <sys/prctl.h>
#include <unistd.h>

namespace {

using namespace meteremu::bench;

constexpr const char* kGroup = "239.12.255.254";
constexpr std::uint16_t kPort = 9522;
/// Every capture starts with "SMA\0" and the 0x02A0 group tag; then comes the data tag, its
/// length at kDataLengthAt and its data at kDataAt: protocol, SUSy id, serial, the ticker at
/// kTickerAt, then the OBIS records.
constexpr std::size_t kDataLengthAt = 12;
constexpr std::size_t kDataAt = 16;
constexpr std::size_t kTickerAt = 24;
constexpr std::size_t kRecordsAt = 28;

void PutBigEndian(std::string& bytes, std::size_t at, std::uint32_t value) {
    for (int i = 0; i < 4; ++i)
        bytes[at + static_cast<std::size_t>(i)] = static_cast<char>(value >> (24 - 8 * i));
}

std::uint32_t GetBigEndian(std::string_view bytes, std::size_t at) {
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i)
        value = value << 8 | static_cast<std::uint8_t>(bytes[at + static_cast<std::size_t>(i)]);
    return value;
}

/// Sets the actual powers (OBIS 0:c.4.0, 0.1 W) of `datagram`: P+ of each phase to
/// `phase_tenths`, of the meter to three times that, every P− to 0. Returns how many records
/// it set (8 in a meter datagram).
int SetPowers(std::string& datagram, std::uint32_t phase_tenths) {
    int set = 0;
    std::size_t end =
        std::min(datagram.size(), kDataAt + (GetBigEndian(datagram, kDataLengthAt) >> 16));
    for (std::size_t at = kRecordsAt; at + 8 <= end;) {
        auto channel = static_cast<std::uint8_t>(datagram[at]);
        auto index = static_cast<std::uint8_t>(datagram[at + 1]);
        auto type = static_cast<std::uint8_t>(datagram[at + 2]);
        if (channel == 0 && type == 4) {
            if (index == 1 || index == 21 || index == 41 || index == 61) {
                PutBigEndian(datagram, at + 4, index == 1 ? 3 * phase_tenths : phase_tenths);
                ++set;
            } else if (index == 2 || index == 22 || index == 42 || index == 62) {
                PutBigEndian(datagram, at + 4, 0);
                ++set;
            }
        }
        at += 4 + (type == 8 ? 8 : 4);
    }
    return set;
}

sockaddr_in Group() {
    sockaddr_in group{};
    group.sin_family = AF_INET;
    group.sin_port = htons(kPort);
    inet_pton(AF_INET, kGroup, &group.sin_addr);
    return group;
}

in_addr Address(const std::string& text) {
    in_addr address{};
    if (inet_pton(AF_INET, text.c_str(), &address) != 1)
        throw std::runtime_error("not an IPv4 address: " + text);
    return address;
}

void Send(const std::string& capture, const std::string& from, long changes, long every_ms,
          double first, double step) {
    std::string datagram = ReadFile(capture);
    if (datagram.size() < kRecordsAt || SetPowers(datagram, 0) != 8)
        throw std::runtime_error(capture + " is not an SMA meter datagram with 8 power records");
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    in_addr out = Address(from);
    if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &out, sizeof out))
        throw std::runtime_error("cannot multicast from " + from);
    sockaddr_in group = Group();
    std::uint32_t ticker = GetBigEndian(datagram, kTickerAt);
    std::int64_t start = NowNs();
    for (long index = 0; index < changes; ++index) {
        std::int64_t due = start + (index + 1) * every_ms * 1'000'000;
        timespec wait{0, 0};
        for (std::int64_t left; (left = due - NowNs()) > 0; nanosleep(&wait, nullptr))
            wait = {static_cast<time_t>(left / 1'000'000'000),
                    static_cast<long>(left % 1'000'000'000)};
        auto tenths =
            static_cast<std::uint32_t>((first + step * static_cast<double>(index)) * 10 + 0.5);
        ticker += static_cast<std::uint32_t>(every_ms);
        PutBigEndian(datagram, kTickerAt, ticker);
        SetPowers(datagram, tenths);
        std::int64_t sent_at = NowNs();
        if (sendto(fd, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&group),
                   sizeof group) != static_cast<ssize_t>(datagram.size()))
            throw std::runtime_error(std::string("sendto: ") + std::strerror(errno));
        std::printf("sent %lld %u %.1f\n", static_cast<long long>(sent_at), ticker,
                    3 * tenths / 10.0);
        std::fflush(stdout);
    }
    close(fd);
}

void Listen(const std::string& on, double seconds) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes); // meteremu binds it too
    sockaddr_in group = Group();
    ip_mreq membership{group.sin_addr, Address(on)};
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&group), sizeof group) ||
        setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &membership, sizeof membership))
        throw std::runtime_error("cannot join " + std::string(kGroup) + " on " + on + ": " +
                                 std::strerror(errno));
    timeval timeout{0, 100000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    std::printf("listening\n");
    std::fflush(stdout);
    std::int64_t end = NowNs() + static_cast<std::int64_t>(seconds * 1e9);
    char datagram[2048];
    while (NowNs() < end) {
        ssize_t size = recv(fd, datagram, sizeof datagram, 0);
        std::int64_t now = NowNs();
        if (size < static_cast<ssize_t>(kRecordsAt)) continue;
        std::printf(
            "received %lld %u\n", static_cast<long long>(now),
            GetBigEndian(std::string_view(datagram, static_cast<std::size_t>(size)), kTickerAt));
        std::fflush(stdout);
    }
    close(fd);
}

} // namespace

int main(int argc, char** argv) try {
    bool send = argc > 1 && std::string_view(argv[1]) == "--send";
    bool listen = argc > 1 && std::string_view(argv[1]) == "--listen";
    std::string capture = Option(argc, argv, "--capture", "");
    std::string from = Option(argc, argv, "--from", "");
    std::string on = Option(argc, argv, "--on", "");
    if (send == listen || (send && (capture.empty() || from.empty())) || (listen && on.empty())) {
        std::fprintf(stderr, "usage: bench_sma_meter --send --capture FILE --from ADDR "
                             "[--changes 30] [--every-ms 300] [--first 100] [--step 11.1]\n"
                             "       bench_sma_meter --listen --on ADDR [--seconds 20]\n");
        return 64;
    }
    prctl(PR_SET_TIMERSLACK, 1000UL);
    if (send)
        Send(capture, from, NumberOption(argc, argv, "--changes", 30),
             NumberOption(argc, argv, "--every-ms", 300),
             std::stod(Option(argc, argv, "--first", "100")),
             std::stod(Option(argc, argv, "--step", "11.1")));
    else
        Listen(on, std::stod(Option(argc, argv, "--seconds", "20")));
    return 0;
} catch (const std::exception& error) {
    std::fprintf(stderr, "bench_sma_meter: %s\n", error.what());
    return 1;
}
