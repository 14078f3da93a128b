// SPDX-License-Identifier: MIT
// The EcoTracker's powerAvg: the mean of the readings received in the last `window`, as the
// emulators batteries accept compute it (docs/protocols/ecotracker.md#the-document).
#pragma once

#include "core/clock.hpp"

#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

namespace meteremu::ecotracker {

class PowerAverage {
public:
    explicit PowerAverage(Seconds window) : window_(window) {}

    /// One reading's net power, received at `at`. Thread-safe.
    void Add(SteadyTime at, double watts);

    /// The mean of the readings received after `now - window`; nullopt when there is none.
    /// Thread-safe.
    std::optional<double> Mean(SteadyTime now);

private:
    /// Forgets what left the window. mutex_ held.
    void Prune(SteadyTime now);

    /// A bound for a source that publishes far faster than the window needs.
    static constexpr std::size_t kMaxSamples = 4096;

    Seconds window_;
    std::mutex mutex_;
    std::deque<std::pair<SteadyTime, double>> samples_;
    double sum_ = 0;
};

} // namespace meteremu::ecotracker
