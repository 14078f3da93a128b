// SPDX-License-Identifier: MIT
// The main thread once the daemon runs (docs/architecture.md#threads): it waits for signals and
// timers and speaks the sd-daemon protocol —
//   READY=1 as soon as the servers answer, before the backend starts polling;
//   STATUS= whenever the one-line summary changes (looked at every second);
//   WATCHDOG=1 every half WATCHDOG_USEC while every part is alive (daemon/watchdog.hpp);
//   RELOADING=1 (with MONOTONIC_USEC) … READY=1 around a SIGHUP reload;
//   STOPPING=1 on SIGTERM or SIGINT, then a stop and exit status 0.
// Every second it also returns the memory a burst of clients left free (platform/memory).
#pragma once

#include "daemon/daemon.hpp"
#include "daemon/watchdog.hpp"
#include "platform/memory.hpp"
#include "platform/systemd.hpp"

#include <optional>
#include <string>

namespace meteremu {

class Supervisor {
public:
    explicit Supervisor(Daemon& daemon) : daemon_(daemon) {}

    /// Starts the daemon on `passed` (or on the configured ports), serves until SIGTERM or
    /// SIGINT and stops it. Returns the exit status; throws when the start fails.
    int Run(systemd::PassedSockets passed);

private:
    void Start(systemd::PassedSockets passed);
    void StartWatchdog();
    /// True when the signal asks the daemon to stop.
    bool OnSignal(int signal);
    void Reload();
    std::string CurrentStatus() const;
    void RefreshStatus();
    void CheckWatchdog();

    Daemon& daemon_;
    systemd::Notifier notifier_;
    std::optional<Watchdog> watchdog_;
    MemoryReturner memory_;
    std::string status_;
    bool watchdog_failing_ = false;
    bool reload_failed_ = false;
};

} // namespace meteremu
