// SPDX-License-Identifier: MIT
#include "backends/link_health.hpp"

#include "util/time_format.hpp"

#include <algorithm>
#include <cmath>

namespace meteremu {

Seconds RetryWaitAfter(unsigned failed_attempts) noexcept {
    constexpr Seconds kFirstRetry{1.0};
    constexpr Seconds kLongestRetry{30.0};
    double doubled = kFirstRetry.count() * std::pow(2.0, std::min(failed_attempts, 9u) - 1.0);
    return std::min(Seconds(doubled), kLongestRetry);
}

void LinkHealth::Set(std::string text) {
    std::lock_guard lock(mutex_);
    text_ = std::move(text);
    failing_ = false;
}

void LinkHealth::SetFailing(std::string what, WallTime since, Seconds retry_in) {
    std::lock_guard lock(mutex_);
    text_ = std::move(what);
    failing_ = true;
    since_ = since;
    retry_at_ = std::chrono::steady_clock::now() +
                std::chrono::duration_cast<SteadyTime::duration>(retry_in);
}

std::string LinkHealth::Summary() const {
    std::lock_guard lock(mutex_);
    if (!failing_) return source_ + text_;
    long seconds =
        std::lround(std::ceil(Seconds(retry_at_ - std::chrono::steady_clock::now()).count()));
    std::string retry =
        seconds > 0 ? "retrying in " + std::to_string(seconds) + " s" : "retrying now";
    return source_ + " " + text_ + " since " + FormatTime(since_, "%H:%M", true) + ", " + retry;
}

} // namespace meteremu
