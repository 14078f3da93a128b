// SPDX-License-Identifier: MIT
// SHA-1 against the FIPS 180 / RFC 3174 test vectors, every padding case included.
#include "util/sha1.hpp"

#include <gtest/gtest.h>

#include <string>

namespace meteremu {
namespace {

std::string Hex(const Sha1Digest& digest) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string text;
    for (auto byte : digest) {
        text += kHex[byte >> 4];
        text += kHex[byte & 0xf];
    }
    return text;
}

TEST(Sha1Test, StandardVectors) {
    EXPECT_EQ(Hex(Sha1("")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    EXPECT_EQ(Hex(Sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
    EXPECT_EQ(Hex(Sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
              "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    EXPECT_EQ(Hex(Sha1(std::string(1000000, 'a'))), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    EXPECT_EQ(Hex(Sha1("The quick brown fox jumps over the lazy dog")),
              "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12");
}

TEST(Sha1Test, LengthsAroundTheBlockEdges) {
    // 55, 56 and 64 bytes: the length fits, just misses, or needs a block of its own.
    EXPECT_EQ(Hex(Sha1(std::string(55, 'a'))), "c1c8bbdc22796e28c0e15163d20899b65621d65a");
    EXPECT_EQ(Hex(Sha1(std::string(56, 'a'))), "c2db330f6083854c99d4b5bfb6e8f29f201be699");
    EXPECT_EQ(Hex(Sha1(std::string(64, 'a'))), "0098ba824b5c16427bd7a1122a5a442a25ec644d");
}

} // namespace
} // namespace meteremu
