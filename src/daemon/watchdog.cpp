// SPDX-License-Identifier: MIT
#include "daemon/watchdog.hpp"

namespace meteremu {

void Watchdog::Watch(std::string name, const Heartbeat& heartbeat) {
    watched_.push_back({std::move(name), &heartbeat, heartbeat.Ticks()});
}

void Watchdog::WatchHttp(HttpProbe probe, std::string name) {
    SendProbe(http_.emplace_back(Probed{std::move(name), std::move(probe), {}}));
}

void Watchdog::SendProbe(Probed& server) {
    server.error.clear();
    if (!server.probe.Send(server.error) && server.error.empty()) server.error = "not sent";
}

bool Watchdog::Check(std::vector<std::string>& stalled) {
    stalled.clear();
    for (Watched& part : watched_) {
        std::uint64_t ticks = part.heartbeat->Ticks();
        if (ticks == part.last_ticks) stalled.push_back(part.name);
        part.last_ticks = ticks;
    }
    for (Probed& server : http_) {
        if (!server.error.empty())
            stalled.push_back(server.name + " (probe request: " + server.error + ")");
        else if (!server.probe.Answered())
            stalled.push_back(server.name + " (no answer to the probe request)");
        SendProbe(server);
    }
    return stalled.empty();
}

} // namespace meteremu
