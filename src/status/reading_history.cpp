// SPDX-License-Identifier: MIT
#include "status/reading_history.hpp"

#include <limits>

namespace meteremu {

void ReadingHistory::Add(const Reading* reading) noexcept {
    constexpr float kNone = std::numeric_limits<float>::quiet_NaN();
    Point point{kNone, kNone, kNone, kNone};
    if (reading) {
        point = {static_cast<float>(reading->TotalActPower()),
                 static_cast<float>(reading->phases[0].act_power),
                 static_cast<float>(reading->phases[1].act_power),
                 static_cast<float>(reading->phases[2].act_power)};
    }
    ring_[next_] = point;
    next_ = (next_ + 1) % kPoints;
    if (count_ < kPoints) ++count_;
}

std::vector<ReadingHistory::Point> ReadingHistory::Points() const {
    std::vector<Point> points;
    points.reserve(count_);
    std::size_t first = (next_ + kPoints - count_) % kPoints;
    for (std::size_t i = 0; i < count_; ++i)
        points.push_back(ring_[(first + i) % kPoints]);
    return points;
}

} // namespace meteremu
