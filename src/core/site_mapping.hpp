// SPDX-License-Identifier: MIT
// How the site's phases appear on the emulated meter. A single-phase site shows its whole
// measurement on one configured phase and zeros on the others: batteries such as the Marstek
// Venus detect their phase by watching which one moves, which fails if a total is split evenly.
#pragma once

#include "core/reading.hpp"

namespace meteremu {

struct SiteLayout {
    int phases = 3;         ///< 1 or 3
    Phase phase = Phase::A; ///< with phases = 1: the phase that carries the total
};

/// With phases = 3 the reading passes unchanged; with phases = 1 all phases are combined
/// onto `layout.phase` and the other two read zero.
Reading MapToSite(const Reading& reading, const SiteLayout& layout) noexcept;

} // namespace meteremu
