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

#ifdef METEREMU_SANITIZED
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
// AddressSanitizer and ThreadSanitizer replace glibc's allocator and hold freed blocks in a
// quarantine: glibc's trimming, which these tests observe, does not happen in their builds.
constexpr const char* kSanitizedSkip =
    "a sanitizer build replaces glibc's allocator, whose trimming this test observes";

long ResidentKib() {
    return static_cast<long>(ResidentBytes() / 1024);
}

/// 256 connection-sized buffers (32 KiB, below glibc's mmap threshold: from the heap), each
/// allocated next to one that outlives it, as connections that end while others go on: the
/// freed buffers are holes in the heap that glibc keeps until it is asked to trim.
std::vector<std::unique_ptr<char[]>> Burst(std::vector<std::unique_ptr<char[]>>& survivors) {
    constexpr size_t kBlocks = 256, kBlockBytes = 32 * 1024;
    std::vector<std::unique_ptr<char[]>> buffers;
    for (size_t i = 0; i < kBlocks; ++i)
        for (auto* list : {&buffers, &survivors}) {
            list->emplace_back(new char[kBlockBytes]);
            std::memset(list->back().get(), 1, kBlockBytes);
        }
    return buffers;
}

TEST(MemoryTest, EveryBurstsFreedBuffersGoBackToTheSystem) {
    if (kSanitized) GTEST_SKIP() << kSanitizedSkip;
    MemoryReturner returner;
    returner.Tick(); // whatever the test binary left free before
    std::vector<std::unique_ptr<char[]>> survivors;
    // The second burst reuses the first one's trimmed holes: it must be given back too.
    for (int burst = 0; burst < 2; ++burst) {
        Burst(survivors).clear();
        long before = ResidentKib();
        ASSERT_GT(before, 0);
        EXPECT_TRUE(returner.Tick()) << "burst " << burst;
        long after = ResidentKib();
        EXPECT_LT(after, before - 4 * 1024)
            << "burst " << burst << ": before " << before << " KiB, after " << after;
        EXPECT_FALSE(returner.Tick()) << "burst " << burst << ": nothing new to give back";
    }
}

TEST(MemoryTest, MemoryInUseAtATickGoesBackOnceFreed) {
    if (kSanitized) GTEST_SKIP() << kSanitizedSkip;
    MemoryReturner returner;
    returner.Tick();
    std::vector<std::unique_ptr<char[]>> survivors;
    auto in_use = Burst(survivors);
    returner.Tick(); // grown, but nothing of it is free
    in_use.clear();
    long before = ResidentKib();
    EXPECT_TRUE(returner.Tick());
    EXPECT_LT(ResidentKib(), before - 4 * 1024);
}

} // namespace
} // namespace meteremu
