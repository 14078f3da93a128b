// SPDX-License-Identifier: MIT
#include "platform/memory.hpp"

#include <algorithm>
#include <malloc.h>

namespace meteremu {

bool MemoryReturner::Tick() noexcept {
    std::size_t free_bytes = mallinfo2().fordblks;
    free_after_trim_ = std::min(free_after_trim_, free_bytes);
    if (free_bytes < free_after_trim_ + kSlackBytes) return false;
    malloc_trim(0);
    free_after_trim_ = mallinfo2().fordblks;
    return true;
}

} // namespace meteremu
