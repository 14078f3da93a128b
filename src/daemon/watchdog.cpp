// SPDX-License-Identifier: MIT
#include "daemon/watchdog.hpp"

namespace meteremu {

void Watchdog::Watch(std::string name, const Heartbeat& heartbeat) {
    watched_.push_back({std::move(name), &heartbeat, heartbeat.Ticks()});
}

void Watchdog::WatchHttp(HttpProbe probe) {
    http_.emplace(std::move(probe));
    SendProbe();
}

void Watchdog::SendProbe() {
    probe_error_.clear();
    if (!http_->Send(probe_error_) && probe_error_.empty()) probe_error_ = "not sent";
}

bool Watchdog::Check(std::vector<std::string>& stalled) {
    stalled.clear();
    for (Watched& part : watched_) {
        std::uint64_t ticks = part.heartbeat->Ticks();
        if (ticks == part.last_ticks) stalled.push_back(part.name);
        part.last_ticks = ticks;
    }
    if (http_) {
        if (!probe_error_.empty())
            stalled.push_back("HTTP server (probe request: " + probe_error_ + ")");
        else if (!http_->Answered())
            stalled.emplace_back("HTTP server (no answer to the probe request)");
        SendProbe();
    }
    return stalled.empty();
}

} // namespace meteremu
