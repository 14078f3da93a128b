// SPDX-License-Identifier: MIT
#include "net/reply_byte_budget.hpp"

#include <algorithm>

namespace meteremu {

ReplyByteBudget::ReplyByteBudget(std::size_t bytes_per_second)
    : rate_(static_cast<double>(bytes_per_second)), burst_(std::max(rate_, kMinBurst)),
      tokens_(burst_) {}

bool ReplyByteBudget::Spend(std::size_t bytes, bool priority, SteadyTime now) noexcept {
    if (rate_ <= 0) return true;
    // The bucket starts full, so the first call's long "elapsed" changes nothing.
    double elapsed = std::chrono::duration<double>(now - updated_).count();
    tokens_ = std::min(burst_, tokens_ + std::max(0.0, elapsed) * rate_);
    updated_ = std::max(updated_, now);
    double floor = priority ? 0 : burst_ / 2;
    auto cost = static_cast<double>(bytes);
    if (tokens_ - cost < floor) return false;
    tokens_ -= cost;
    return true;
}

} // namespace meteremu
