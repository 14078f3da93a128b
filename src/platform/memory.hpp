// SPDX-License-Identifier: MIT
// Gives memory back to the system after a burst. glibc keeps what a burst of clients freed
// (256 connections' 32 KiB buffers are 8 MiB) in its arenas, so the daemon would sit at its
// peak for good; on a Raspberry Pi next to other services that memory belongs to them.
#pragma once

#include <cstddef>

namespace meteremu {

class MemoryReturner {
public:
    /// Once this much more memory lies free inside the allocator than after the last trim,
    /// it is returned (malloc_trim).
    static constexpr std::size_t kSlackBytes = 512 * 1024;

    /// Trims when a burst left kSlackBytes more free; otherwise costs a walk over the
    /// allocator's counters. Returns whether it trimmed. Call from one thread.
    bool Tick() noexcept;

private:
    /// Free bytes inside the allocator after the last trim, lowered as they are reused:
    /// trimmed pages stay counted as free, and trimming them again would gain nothing.
    std::size_t free_after_trim_ = 0;
};

} // namespace meteremu
