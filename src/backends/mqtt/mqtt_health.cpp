// SPDX-License-Identifier: MIT
#include "backends/mqtt/mqtt_health.hpp"

#include "util/time_format.hpp"

#include <cmath>

namespace meteremu::mqtt {

void Health::Set(std::string text) {
    std::lock_guard lock(mutex_);
    text_ = std::move(text);
    failing_ = false;
}

void Health::SetFailing(std::string what, WallTime since, Seconds retry_in) {
    std::lock_guard lock(mutex_);
    text_ = std::move(what);
    failing_ = true;
    since_ = since;
    retry_at_ = std::chrono::steady_clock::now() +
                std::chrono::duration_cast<SteadyTime::duration>(retry_in);
}

std::string Health::Summary() const {
    std::lock_guard lock(mutex_);
    if (!failing_) return "mqtt" + text_;
    long seconds =
        std::lround(std::ceil(Seconds(retry_at_ - std::chrono::steady_clock::now()).count()));
    std::string retry =
        seconds > 0 ? "retrying in " + std::to_string(seconds) + " s" : "retrying now";
    return "mqtt " + text_ + " since " + FormatTime(since_, "%H:%M", true) + ", " + retry;
}

} // namespace meteremu::mqtt
