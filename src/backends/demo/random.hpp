// SPDX-License-Identifier: MIT
// A small seeded generator (splitmix64) with its own distributions: the standard library's
// distributions differ between implementations, and the demo must be the same everywhere
// for a given seed.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>

namespace meteremu::demo {

class Random {
public:
    explicit Random(std::uint64_t seed) noexcept : state_(seed) {}

    std::uint64_t Next() noexcept {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

    /// Uniform in [0, 1).
    double Uniform() noexcept { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

    double Uniform(double low, double high) noexcept { return low + (high - low) * Uniform(); }

    /// Standard normal (Box-Muller; one of the pair is dropped for simplicity).
    double Normal() noexcept {
        double u1 = 1.0 - Uniform(); // (0, 1]: log(0) must not happen
        double u2 = Uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    }

private:
    std::uint64_t state_;
};

} // namespace meteremu::demo
