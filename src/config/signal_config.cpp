// SPDX-License-Identifier: MIT
#include "config/signal_config.hpp"

#include <array>
#include <string>

namespace meteremu {
namespace {

/// The longest a poll may be held: past it a battery takes the meter for gone.
constexpr double kMaxHoldLimit = 60;
/// Offsets beyond a house connection's power are typing errors.
constexpr double kMaxOffset = 100000;
constexpr double kMaxScale = 100;
constexpr double kMaxSlewLimit = 100000;

constexpr std::array<char, kPhaseCount> kPhaseLetters{'a', 'b', 'c'};

void ParsePolicy(ConfigSection& section, const std::string& key, RepeatPolicy& policy) {
    auto name = section.String(key);
    if (!name) return;
    if (auto parsed = ParseRepeatPolicy(*name))
        policy = *parsed;
    else
        section.ErrorAt(key, "expected \"repeat\", \"hold\" or \"drop\"");
}

} // namespace

void ParseSampleGating(ConfigSection& section, SampleGating& gating) {
    ParsePolicy(section, "udp_repeat_policy", gating.udp.repeat);
    ParsePolicy(section, "http_repeat_policy", gating.http.repeat);
    ParsePolicy(section, "websocket_repeat_policy", gating.websocket.repeat);
    Seconds max_hold(section.Seconds("max_hold", kDefaultMaxHold, kMaxHoldLimit));
    gating.udp.max_hold = gating.http.max_hold = gating.websocket.max_hold = max_hold;
}

void ParseSignalShaping(ConfigSection& section, SignalShaping& shaping) {
    for (std::size_t i = 0; i < kPhaseCount; ++i) {
        std::string offset = std::string("offset_") + kPhaseLetters[i];
        std::string scale = std::string("scale_") + kPhaseLetters[i];
        shaping.offset[i] = section.Bounded(offset, 0, -kMaxOffset, kMaxOffset);
        shaping.scale[i] = section.Bounded(scale, 1, -kMaxScale, kMaxScale);
    }
    shaping.slew_limit = section.Bounded("slew_limit", 0, 0, kMaxSlewLimit);
}

} // namespace meteremu
