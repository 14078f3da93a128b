// SPDX-License-Identifier: MIT
#include "daemon/signals.hpp"

#include <cerrno>
#include <csignal>
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

int WaitForSignal() {
    sigset_t set = DaemonSignals();
    int signal = 0;
    if (int error = sigwait(&set, &signal))
        throw std::system_error(error, std::generic_category(), "sigwait");
    return signal;
}

} // namespace meteremu
