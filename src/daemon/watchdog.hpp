// SPDX-License-Identifier: MIT
// The systemd watchdog as a liveness check, not a timer (style guide rule 10, after MaxScale's
// WatchdogNotifier): Check() runs every half WatchdogSec, and WATCHDOG=1 is sent only when
// every part showed life since the previous check —
//   - every watched heartbeat ticked (the poller loop ticks on each iteration and every
//     kHeartbeatPeriod while it sleeps, whether or not the gateway answers);
//   - the HTTP server answered the probe request sent at the previous check (see HttpProbe).
// So a gateway that is down keeps the pings going, and a hung thread stops them: systemd
// then kills and restarts the service (Restart=on-failure).
#pragma once

#include "core/heartbeat.hpp"
#include "net/http_probe.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace meteremu {

class Watchdog {
public:
    /// `timeout`: WATCHDOG_USEC, how long systemd waits for a ping.
    explicit Watchdog(std::chrono::microseconds timeout) noexcept : timeout_(timeout) {}

    /// How often Check() should run: half the timeout, so one late check is not fatal.
    std::chrono::microseconds Interval() const noexcept { return timeout_ / 2; }

    /// Watches `heartbeat` (it must outlive the watchdog); `name` is for the log.
    void Watch(std::string name, const Heartbeat& heartbeat);

    /// Watches an HTTP server through `probe` (one call per server; `name` is for the log);
    /// sends the first request now.
    void WatchHttp(HttpProbe probe, std::string name = "HTTP server");

    /// True when every part showed life since the previous check; otherwise `stalled` names
    /// the parts that did not. Starts the next round (baselines, a new probe request).
    bool Check(std::vector<std::string>& stalled);

private:
    struct Watched {
        std::string name;
        const Heartbeat* heartbeat;
        std::uint64_t last_ticks;
    };

    struct Probed {
        std::string name;
        HttpProbe probe;
        std::string error; ///< why the last probe request could not be sent
    };

    static void SendProbe(Probed& server);

    std::chrono::microseconds timeout_;
    std::vector<Watched> watched_;
    std::vector<Probed> http_;
};

} // namespace meteremu
