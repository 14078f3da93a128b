// SPDX-License-Identifier: MIT
#include "platform/memory.hpp"

#include <algorithm>
#include <cstdio>
#include <malloc.h>
#include <unistd.h>

namespace meteremu {

std::size_t ResidentBytes() noexcept {
    std::FILE* statm = std::fopen("/proc/self/statm", "re");
    if (!statm) return 0;
    unsigned long size = 0;
    unsigned long resident = 0;
    // NOLINTNEXTLINE(cert-err34-c): the kernel writes these numbers; a short read gives 0
    int read = std::fscanf(statm, "%lu %lu", &size, &resident);
    std::fclose(statm);
    return read == 2 ? resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE)) : 0;
}

bool MemoryReturner::Tick() noexcept {
    std::size_t resident = ResidentBytes();
    std::size_t free_bytes = mallinfo2().fordblks;
    resident_floor_ = std::min(resident_floor_, resident);
    free_floor_ = std::min(free_floor_, free_bytes);
    // Trimmed pages stay counted as free, so free bytes alone cannot tell: a burst that
    // reused trimmed holes shows as a grown resident set, one that took new memory and gave
    // it back as grown free bytes. A resident set grown by memory in use costs one trim.
    bool refilled = resident >= resident_floor_ + kSlackBytes && free_bytes >= kSlackBytes;
    bool freed = free_bytes >= free_floor_ + kSlackBytes;
    if (!refilled && !freed) return false;
    malloc_trim(0);
    resident_floor_ = ResidentBytes();
    free_floor_ = mallinfo2().fordblks;
    return true;
}

} // namespace meteremu
