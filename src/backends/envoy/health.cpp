// SPDX-License-Identifier: MIT
#include "backends/envoy/health.hpp"

#include "util/time_format.hpp"

#include <cmath>

namespace meteremu::envoy {
void Health::Set(Condition condition, std::string detail) {
    std::lock_guard lock(mutex_);
    condition_ = condition;
    detail_ = std::move(detail);
}

void Health::SetFailing(std::string detail, WallTime since, Seconds retry_in) {
    std::lock_guard lock(mutex_);
    condition_ = Condition::Failing;
    detail_ = std::move(detail);
    since_ = since;
    retry_at_ = std::chrono::steady_clock::now() +
                std::chrono::duration_cast<SteadyTime::duration>(retry_in);
}

std::string Health::Summary() const {
    std::lock_guard lock(mutex_);
    switch (condition_) {
    case Condition::Starting:
        return "envoy: connecting";
    case Condition::Ok:
        return "envoy ok";
    case Condition::Slow:
        return "envoy ok (slow: /production.json every 30 s)";
    case Condition::NoGridData:
        return "envoy: no enabled consumption CT";
    case Condition::NeedsToken:
        return "envoy: " + detail_ + " (see README)";
    case Condition::Failing:
        break;
    }
    Seconds left = retry_at_ - std::chrono::steady_clock::now();
    long seconds = std::lround(std::ceil(left.count()));
    // Past the retry time the next attempt is under way (a hanging request may take seconds).
    std::string retry =
        seconds > 0 ? "retrying in " + std::to_string(seconds) + " s" : "retrying now";
    return "envoy " + detail_ + " since " + FormatTime(since_, "%H:%M", true) + ", " + retry;
}

} // namespace meteremu::envoy
