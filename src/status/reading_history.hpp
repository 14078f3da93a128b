// SPDX-License-Identifier: MIT
// The last ten minutes of grid power, one point a second, for the status page's plot: a
// fixed ring filled by the thread that renders the status once a second, so it never grows
// and needs no lock.
#pragma once

#include "core/reading.hpp"

#include <array>
#include <cstddef>
#include <vector>

namespace meteremu {

class ReadingHistory {
public:
    static constexpr std::size_t kPoints = 600;

    /// Total and phases A, B, C in W; NaN where there was no fresh reading.
    struct Point {
        float total, a, b, c;
    };

    /// The point of the second that just ended: `reading`'s powers, or none (null).
    void Add(const Reading* reading) noexcept;

    /// Oldest first; at most kPoints.
    std::vector<Point> Points() const;

private:
    std::array<Point, kPoints> ring_{};
    std::size_t next_ = 0;
    std::size_t count_ = 0;
};

} // namespace meteremu
