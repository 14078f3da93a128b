// SPDX-License-Identifier: MIT
#include "util/sha1.hpp"

#include <bit>

namespace meteremu {
namespace {

struct State {
    std::array<std::uint32_t, 5> h{0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};

    void Block(const std::uint8_t* block) noexcept {
        std::array<std::uint32_t, 80> w;
        for (int i = 0; i < 16; ++i)
            w[i] = std::uint32_t(block[4 * i]) << 24 | std::uint32_t(block[4 * i + 1]) << 16 |
                   std::uint32_t(block[4 * i + 2]) << 8 | std::uint32_t(block[4 * i + 3]);
        for (int i = 16; i < 80; ++i)
            w[i] = std::rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
        auto [a, b, c, d, e] = h;
        for (int i = 0; i < 80; ++i) {
            std::uint32_t f;
            std::uint32_t k;
            if (i < 20) {
                f = (b & c) | (~b & d);
                k = 0x5A827999;
            } else if (i < 40) {
                f = b ^ c ^ d;
                k = 0x6ED9EBA1;
            } else if (i < 60) {
                f = (b & c) | (b & d) | (c & d);
                k = 0x8F1BBCDC;
            } else {
                f = b ^ c ^ d;
                k = 0xCA62C1D6;
            }
            std::uint32_t next = std::rotl(a, 5) + f + e + k + w[i];
            e = d;
            d = c;
            c = std::rotl(b, 30);
            b = a;
            a = next;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
    }
};

} // namespace

Sha1Digest Sha1(std::string_view data) noexcept {
    State state;
    size_t whole = data.size() / 64 * 64;
    for (size_t at = 0; at < whole; at += 64)
        state.Block(reinterpret_cast<const std::uint8_t*>(data.data() + at));
    // The tail, a 0x80 byte, zeros, and the bit length: one or two more blocks.
    std::array<std::uint8_t, 128> tail{};
    size_t rest = data.size() - whole;
    for (size_t i = 0; i < rest; ++i)
        tail[i] = static_cast<std::uint8_t>(data[whole + i]);
    tail[rest] = 0x80;
    size_t length = rest < 56 ? 64 : 128;
    std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8;
    for (int i = 0; i < 8; ++i)
        tail[length - 1 - i] = static_cast<std::uint8_t>(bits >> (8 * i));
    for (size_t at = 0; at < length; at += 64)
        state.Block(tail.data() + at);
    Sha1Digest digest;
    for (int i = 0; i < 20; ++i)
        digest[i] = static_cast<std::uint8_t>(state.h[i / 4] >> (24 - 8 * (i % 4)));
    return digest;
}

} // namespace meteremu
