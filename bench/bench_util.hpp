// SPDX-License-Identifier: MIT
// What the benchmark programs share: one clock for every process of a run (CLOCK_MONOTONIC,
// so timestamps from the relay, the probes and the load generators compare directly),
// latency summaries, and the small command-line and socket chores. Header-only: each bench
// program is a single file plus this.
#pragma once

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <netinet/in.h>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/resource.h>
#include <sys/socket.h>
#include <vector>

namespace meteremu::bench {

/// Nanoseconds on CLOCK_MONOTONIC: the clock std::chrono::steady_clock reads on Linux.
inline std::int64_t NowNs() noexcept {
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return std::int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

/// The `fraction` quantile (0.5, 0.99) of `samples` by the nearest-rank rule; sorts them.
inline std::int64_t Quantile(std::vector<std::int64_t>& samples, double fraction) {
    if (samples.empty()) return 0;
    std::sort(samples.begin(), samples.end());
    auto rank = static_cast<std::size_t>(fraction * static_cast<double>(samples.size()));
    return samples[std::min(rank, samples.size() - 1)];
}

/// The value of `--name VALUE` in argv, or `fallback`.
inline std::string Option(int argc, char** argv, std::string_view name, std::string fallback) {
    for (int i = 1; i + 1 < argc; ++i)
        if (name == argv[i]) return argv[i + 1];
    return fallback;
}

inline long NumberOption(int argc, char** argv, std::string_view name, long fallback) {
    std::string text = Option(argc, argv, name, "");
    return text.empty() ? fallback : std::stol(text);
}

/// 127.0.0.1:`port`.
inline sockaddr_in Loopback(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

inline std::uint16_t BoundPort(int fd) {
    sockaddr_in address{};
    socklen_t length = sizeof address;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length))
        throw std::runtime_error(std::string("getsockname: ") + std::strerror(errno));
    return ntohs(address.sin_port);
}

/// A socket of `type` bound to 127.0.0.1:`port` (0: any free port).
inline int BoundSocket(int type, std::uint16_t port) {
    int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in address = Loopback(port);
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address))
        throw std::runtime_error("cannot bind 127.0.0.1:" + std::to_string(port) + ": " +
                                 std::strerror(errno));
    return fd;
}

/// Raises the soft limit of open files to the hard one (a thousand WebSocket clients).
inline void RaiseFileLimit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

/// Reads the whole file at `path`; throws when it cannot.
inline std::string ReadFile(const std::string& path) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (!file) throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
    std::string text;
    char chunk[4096];
    for (std::size_t size; (size = std::fread(chunk, 1, sizeof chunk, file)) > 0;)
        text.append(chunk, size);
    std::fclose(file);
    return text;
}

} // namespace meteremu::bench
