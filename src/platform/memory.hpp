// SPDX-License-Identifier: MIT
// Gives memory back to the system after a burst. glibc keeps what a burst of clients freed
// (256 connections' 32 KiB buffers are 8 MiB) in its arenas, so the daemon would sit at its
// peak for good; on a Raspberry Pi next to other services that memory belongs to them.
#pragma once

#include <cstddef>

namespace meteremu {

class MemoryReturner {
public:
    /// What may pile up before anything is done about it.
    static constexpr std::size_t kSlackBytes = 512 * 1024;

    /// Gives the allocator's free memory back (malloc_trim) when a burst left some: the
    /// resident set grew kSlackBytes since the last trim while that much lies free, or the
    /// free memory itself grew that much. Otherwise costs a read of /proc/self/statm and of
    /// the allocator's counters. Returns whether it trimmed. Call from one thread.
    bool Tick() noexcept;

private:
    // Both lowered whenever found lower, so that what grows past them is what came since.
    std::size_t resident_floor_ = 0; ///< the resident set after the last trim
    std::size_t free_floor_ = 0;     ///< free bytes in the allocator after the last trim
};

/// This process's resident set in bytes (/proc/self/statm), or 0 when unknown.
std::size_t ResidentBytes() noexcept;

} // namespace meteremu
