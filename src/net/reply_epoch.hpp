// SPDX-License-Identifier: MIT
// When a reply may be served again. A battery asks the same question several times a second
// and the answer only changes with the reading, so transports keep the bytes they framed for
// a reusable result and serve them again while the handler's epoch has not moved: one
// rendering per reading instead of one per request, and no allocation on the hot path.
#pragma once

#include <cstdint>

namespace meteremu {

struct ReplyEpoch {
    /// The instance that renders (a frontend; a reload brings another); 0: reuse nothing.
    std::uint64_t source = 0;
    /// Moves with every new reading and every reconfiguration (MeterStamp::revision).
    std::uint64_t revision = 0;
    /// The reading's freshness, which moves with time alone (fresh → stale).
    int freshness = 0;

    bool Valid() const noexcept { return source != 0; }
    friend bool operator==(const ReplyEpoch&, const ReplyEpoch&) = default;
};

} // namespace meteremu
