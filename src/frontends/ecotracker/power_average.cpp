// SPDX-License-Identifier: MIT
#include "frontends/ecotracker/power_average.hpp"

namespace meteremu::ecotracker {

void PowerAverage::Add(SteadyTime at, double watts) {
    std::lock_guard lock(mutex_);
    if (samples_.size() == kMaxSamples) {
        sum_ -= samples_.front().second;
        samples_.pop_front();
    }
    samples_.emplace_back(at, watts);
    sum_ += watts;
}

std::optional<double> PowerAverage::Mean(SteadyTime now) {
    std::lock_guard lock(mutex_);
    Prune(now);
    if (samples_.empty()) return std::nullopt;
    if (samples_.size() == 1) sum_ = samples_.front().second; // no drift from long use
    return sum_ / static_cast<double>(samples_.size());
}

void PowerAverage::Prune(SteadyTime now) {
    auto oldest = now - std::chrono::duration_cast<SteadyTime::duration>(window_);
    while (!samples_.empty() && samples_.front().first <= oldest) {
        sum_ -= samples_.front().second;
        samples_.pop_front();
    }
}

} // namespace meteremu::ecotracker
