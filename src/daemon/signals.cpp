// SPDX-License-Identifier: MIT
#include "daemon/signals.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <ctime>
#include <pthread.h>
#include <system_error>

namespace meteremu {
namespace {

sigset_t DaemonSignals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    return set;
}

} // namespace

void BlockDaemonSignals() {
    sigset_t set = DaemonSignals();
    if (int error = pthread_sigmask(SIG_BLOCK, &set, nullptr))
        throw std::system_error(error, std::generic_category(), "pthread_sigmask");
    // A client closing its socket mid-reply must not kill the daemon.
    std::signal(SIGPIPE, SIG_IGN);
}

std::optional<int> WaitForSignal(std::chrono::nanoseconds timeout) {
    sigset_t set = DaemonSignals();
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
    timespec wait{static_cast<time_t>(std::max<long long>(seconds.count(), 0)),
                  static_cast<long>(std::max<long long>((timeout - seconds).count(), 0))};
    int signal = sigtimedwait(&set, nullptr, &wait);
    if (signal > 0) return signal;
    if (errno == EAGAIN || errno == EINTR) return std::nullopt;
    throw std::system_error(errno, std::generic_category(), "sigtimedwait");
}

} // namespace meteremu
