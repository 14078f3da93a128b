// SPDX-License-Identifier: MIT
#include "random.hpp"

#include <cmath>
#include <numbers>

namespace meteremu::sim {

double Random::Normal(double mean, double deviation) noexcept {
    double u1 = 1.0 - Unit(); // (0, 1]: log() stays finite
    double u2 = Unit();
    return mean + deviation * std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
}

} // namespace meteremu::sim
