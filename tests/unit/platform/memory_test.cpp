// SPDX-License-Identifier: MIT
// Memory a burst left free goes back to the system: the resident set of this very process,
// read from /proc/self/statm, falls once the blocks are freed and trimmed; and what was
// given back is not given back again every second.
#include "platform/memory.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <unistd.h>
#include <vector>

namespace meteremu {
namespace {

long ResidentKib() {
    long pages = 0, resident = 0;
    std::FILE* statm = std::fopen("/proc/self/statm", "r");
    if (!statm) return -1;
    if (std::fscanf(statm, "%ld %ld", &pages, &resident) != 2) resident = -1;
    std::fclose(statm);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

TEST(MemoryTest, FreedBurstBuffersGoBackToTheSystem) {
    // 256 connection-sized buffers (32 KiB, below glibc's mmap threshold: from the heap),
    // each followed by a small block that outlives it, as the daemon's longer-lived objects
    // do: the freed buffers are holes in the heap that glibc keeps, however long they stay
    // free, until it is asked to trim.
    constexpr size_t kBlocks = 256, kBlockBytes = 32 * 1024;
    std::vector<std::unique_ptr<char[]>> buffers, survivors;
    for (size_t i = 0; i < kBlocks; ++i) {
        buffers.emplace_back(new char[kBlockBytes]);
        std::memset(buffers.back().get(), 1, kBlockBytes);
        survivors.emplace_back(new char[64]);
    }
    MemoryReturner returner;
    returner.Tick(); // whatever the test binary left free before
    buffers.clear();
    long before = ResidentKib();
    ASSERT_GT(before, 0);
    EXPECT_TRUE(returner.Tick());
    long after = ResidentKib();
    EXPECT_LT(after, before - 4 * 1024) << "before " << before << " KiB, after " << after;
    EXPECT_FALSE(returner.Tick()) << "nothing new to give back";
}

} // namespace
} // namespace meteremu
