// SPDX-License-Identifier: MIT
// The reply cache every transport keeps (net/reply_cache.hpp): hits only under the epoch a
// reply was kept in, evicts the oldest key, and reuses its memory.
#include "net/reply_cache.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace meteremu {
namespace {

constexpr ReplyEpoch kFirst{7, 1, 0};
constexpr ReplyEpoch kNewReading{7, 2, 0};
constexpr ReplyEpoch kStale{7, 2, 1};
constexpr ReplyEpoch kReloaded{8, 2, 1};

using Cache = ReplyCache<std::string, 4>;

void Put(Cache& cache, std::string_view key, ReplyEpoch epoch, std::string_view reply) {
    cache.Keep(key, epoch, [&](std::string& kept) { kept.assign(reply); });
}

std::string ReplyOf(std::string_view key) {
    std::string reply = "reply of ";
    reply.append(key);
    return reply;
}

std::string Found(const Cache& cache, std::string_view key, ReplyEpoch epoch) {
    const std::string* reply = cache.Find(key, epoch);
    return reply ? *reply : "(none)";
}

TEST(ReplyCacheTest, HitsTheSameKeyUnderTheSameEpochOnly) {
    Cache cache;
    EXPECT_EQ(Found(cache, "EM.GetStatus", kFirst), "(none)");
    Put(cache, "EM.GetStatus", kFirst, "reply 1");
    EXPECT_EQ(Found(cache, "EM.GetStatus", kFirst), "reply 1");
    EXPECT_EQ(Found(cache, "EM.GetConfig", kFirst), "(none)");
    EXPECT_EQ(Found(cache, "EM.GetStatu", kFirst), "(none)");
    // Every part of the epoch moves it: a reading, the freshness, a reload.
    EXPECT_EQ(Found(cache, "EM.GetStatus", kNewReading), "(none)");
    EXPECT_EQ(Found(cache, "EM.GetStatus", kStale), "(none)");
    EXPECT_EQ(Found(cache, "EM.GetStatus", kReloaded), "(none)");
}

TEST(ReplyCacheTest, AnInvalidEpochNeverHits) {
    Cache cache;
    EXPECT_EQ(cache.Find("", ReplyEpoch{}), nullptr); // the empty entries
    Put(cache, "x", ReplyEpoch{}, "kept under no epoch");
    EXPECT_EQ(cache.Find("x", ReplyEpoch{}), nullptr);
}

TEST(ReplyCacheTest, ANewEpochReplacesTheKeysReplyInPlace) {
    Cache cache;
    Put(cache, "a", kFirst, "a1");
    Put(cache, "b", kFirst, "b1");
    Put(cache, "a", kNewReading, "a2");
    EXPECT_EQ(Found(cache, "a", kNewReading), "a2");
    EXPECT_EQ(Found(cache, "a", kFirst), "(none)");
    EXPECT_EQ(Found(cache, "b", kFirst), "b1");
    // "a" took no second entry: three more keys fit beside it without evicting "b".
    Put(cache, "c", kFirst, "c1");
    Put(cache, "d", kFirst, "d1");
    EXPECT_EQ(Found(cache, "b", kFirst), "b1");
    EXPECT_EQ(Found(cache, "a", kNewReading), "a2");
}

TEST(ReplyCacheTest, EvictsTheOldestKeyWhenFull) {
    Cache cache;
    for (std::string_view key : {"k0", "k1", "k2", "k3"})
        Put(cache, key, kFirst, ReplyOf(key));
    for (std::string_view key : {"k0", "k1", "k2", "k3"})
        EXPECT_EQ(Found(cache, key, kFirst), ReplyOf(key));
    Put(cache, "k4", kFirst, ReplyOf("k4"));
    EXPECT_EQ(Found(cache, "k0", kFirst), "(none)");
    for (std::string_view key : {"k1", "k2", "k3", "k4"})
        EXPECT_EQ(Found(cache, key, kFirst), ReplyOf(key));
    Put(cache, "k5", kFirst, ReplyOf("k5"));
    EXPECT_EQ(Found(cache, "k1", kFirst), "(none)");
    EXPECT_EQ(Found(cache, "k2", kFirst), ReplyOf("k2"));
    EXPECT_EQ(Cache::kCapacity, 4u);
}

TEST(ReplyCacheTest, KeepsItsMemoryAcrossEpochsAndEvictions) {
    Cache cache;
    const std::string long_key(200, 'k');
    const std::string long_reply(600, 'r');
    const std::string& first =
        cache.Keep(long_key, kFirst, [&](std::string& kept) { kept.assign(long_reply); });
    const char* reply_bytes = first.data();
    // The same key under a new epoch: the same entry and the same buffer.
    const std::string& again = cache.Keep(long_key, kNewReading, [&](std::string& kept) {
        kept.assign(std::string_view(long_reply).substr(0, 500));
    });
    EXPECT_EQ(&again, &first);
    EXPECT_EQ(again.data(), reply_bytes);
    // Three other keys, then a fourth evicts the long one and takes over its buffers.
    for (std::string_view key : {"b", "c", "d"})
        Put(cache, key, kFirst, "short");
    const std::string filler(550, 'x');
    const std::string& evicting =
        cache.Keep(std::string(150, 'e'), kFirst, [&](std::string& kept) { kept.assign(filler); });
    EXPECT_EQ(&evicting, &first);
    EXPECT_EQ(evicting.data(), reply_bytes);
    EXPECT_EQ(Found(cache, long_key, kNewReading), "(none)");
    EXPECT_EQ(Found(cache, std::string(150, 'e'), kFirst), filler);
}

/// Keeps "a" under `epoch` with a fill that fails half way.
void KeepFailing(Cache& cache, ReplyEpoch epoch) {
    cache.Keep("a", epoch, [](std::string& kept) {
        kept.assign("half");
        throw std::bad_alloc();
    });
}

TEST(ReplyCacheTest, AFillThatThrowsKeepsNothingForTheKey) {
    Cache cache;
    Put(cache, "a", kFirst, "a1");
    EXPECT_THROW(KeepFailing(cache, kNewReading), std::bad_alloc);
    EXPECT_EQ(Found(cache, "a", kNewReading), "(none)");
    EXPECT_EQ(Found(cache, "a", kFirst), "(none)");
}

} // namespace
} // namespace meteremu
