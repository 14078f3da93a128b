// SPDX-License-Identifier: MIT
#include "platform/systemd.hpp"

#include <systemd/sd-daemon.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <sys/socket.h>

namespace meteremu::systemd {
namespace {

std::string Describe(int fd, int index, const std::vector<std::string>& names) {
    std::string text = "socket " + std::to_string(fd);
    if (index < static_cast<int>(names.size()) && names[index] != "unknown")
        text += " (\"" + names[index] + "\")";
    return text;
}

std::vector<std::string> TakeNames(char** names, int count) {
    std::vector<std::string> result;
    for (int i = 0; names && i < count; ++i)
        result.emplace_back(names[i] ? names[i] : "");
    for (int i = 0; names && names[i]; ++i)
        std::free(names[i]);
    std::free(names);
    return result;
}

} // namespace

PassedSockets ClassifySockets(int first, int count, const std::vector<std::string>& names) {
    std::vector<UniqueFd> owned;
    for (int fd = first; fd < first + count; ++fd)
        owned.emplace_back(fd);
    PassedSockets passed;
    for (int i = 0; i < count; ++i) {
        int fd = owned[i].Get();
        bool datagram = sd_is_socket_inet(fd, AF_UNSPEC, SOCK_DGRAM, -1, 0) > 0;
        if (!datagram && sd_is_socket_inet(fd, AF_UNSPEC, SOCK_STREAM, 1, 0) <= 0)
            throw PassedSocketsInvalid(
                "systemd passed " + Describe(fd, i, names) +
                ", which is neither a listening TCP socket (HTTP) nor a UDP socket; "
                "meteremu's socket units may only have ListenStream= and ListenDatagram= on "
                "IP ports, without Accept=yes");
        std::string name = i < static_cast<int>(names.size()) ? names[i] : "";
        passed.sockets.push_back({std::move(name), !datagram, std::move(owned[i])});
    }
    return passed;
}

PassedSockets TakePassedSockets() {
    char** raw_names = nullptr;
    int count = sd_listen_fds_with_names(1, &raw_names);
    std::vector<std::string> names = TakeNames(raw_names, count);
    if (count < 0)
        throw PassedSocketsInvalid("cannot take the sockets systemd passed (LISTEN_FDS): " +
                                   std::string(std::strerror(-count)));
    return ClassifySockets(SD_LISTEN_FDS_START, count, names);
}

Notifier::Notifier() noexcept : connected_(std::getenv("NOTIFY_SOCKET") != nullptr) {}

void Notifier::Send(const std::string& message) noexcept {
    if (connected_) sd_notify(0, message.c_str());
}

void Notifier::Ready(std::string_view status) noexcept try {
    Send("READY=1\nSTATUS=" + OneLine(status));
} catch (...) {
    // Out of memory building a few bytes: systemd will time the start out and say so.
}

void Notifier::Status(std::string_view status) noexcept try {
    Send("STATUS=" + OneLine(status));
} catch (...) {
}

void Notifier::Reloading() noexcept try {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    auto usec = static_cast<unsigned long long>(now.tv_sec) * 1000000ULL +
                static_cast<unsigned long long>(now.tv_nsec) / 1000ULL;
    Send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
} catch (...) {
}

void Notifier::Stopping() noexcept {
    if (connected_) sd_notify(0, "STOPPING=1");
}

void Notifier::WatchdogPing() noexcept {
    if (connected_) sd_notify(0, "WATCHDOG=1");
}

std::optional<std::chrono::microseconds> WatchdogTimeout() noexcept {
    std::uint64_t usec = 0;
    // 0: keep WATCHDOG_USEC in the environment; unsetenv is unsafe once threads run.
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
    return std::chrono::microseconds(usec);
}

std::string OneLine(std::string_view text) {
    std::string line(text);
    for (char& c : line)
        if (c == '\n' || c == '\r') c = ' ';
    return line;
}

} // namespace meteremu::systemd
