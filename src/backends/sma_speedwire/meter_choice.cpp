// SPDX-License-Identifier: MIT
#include "backends/sma_speedwire/meter_choice.hpp"

namespace meteremu::sma {
namespace {

/// Forged serials must not grow the memory without bound; past this many, further other
/// meters are ignored without a log line of their own.
constexpr std::size_t kIgnoredRemembered = 64;

} // namespace

Verdict MeterChoice::Judge(std::uint32_t serial) {
    if (chosen_) {
        if (*chosen_ == serial) return Verdict::Use;
    } else if (!configured_ || *configured_ == serial) {
        chosen_ = serial;
        return Verdict::First;
    }
    if (ignored_.contains(serial) || ignored_.size() >= kIgnoredRemembered) return Verdict::Ignore;
    ignored_.insert(serial);
    return Verdict::IgnoreFirst;
}

} // namespace meteremu::sma
