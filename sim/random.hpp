// SPDX-License-Identifier: MIT
// A seeded random source whose draws are the same on every platform: the engine is
// std::mt19937_64 (fully specified by the standard) and the distributions are written here,
// since the standard library's are not.
#pragma once

#include <cstdint>
#include <random>

namespace meteremu::sim {

class Random {
public:
    explicit Random(std::uint64_t seed) noexcept : engine_(seed) {}

    /// Uniform in [0, 1).
    double Unit() noexcept { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
    double Uniform(double low, double high) noexcept { return low + (high - low) * Unit(); }
    bool Chance(double probability) noexcept { return Unit() < probability; }
    /// Gaussian by Box–Muller (one of the pair is enough here).
    double Normal(double mean, double deviation) noexcept;
    /// A new independent stream, so that adding draws to one model leaves the others' alone.
    Random Fork() noexcept { return Random(engine_()); }

private:
    std::mt19937_64 engine_;
};

} // namespace meteremu::sim
