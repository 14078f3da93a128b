// SPDX-License-Identifier: MIT
// Cuts the byte stream of a P1 port into telegrams: from a "/" to the end of the line after
// "!". Bytes before the first "/" (a port opened mid-telegram) are
// dropped quietly; a telegram interrupted by the start of the next is reported as cut short.
#pragma once

#include "backends/dsmr_p1/telegram.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace meteremu::dsmr {

struct SplitEvent {
    bool complete = false; ///< a whole telegram; otherwise a discarded one, `fault` says why
    Fault fault = Fault::CutShort;
    std::string text;
};

class TelegramSplitter {
public:
    /// Telegrams longer than `max_bytes` are discarded (DSMR 5 telegrams are about 1 KiB,
    /// with every M-Bus device a few).
    explicit TelegramSplitter(std::size_t max_bytes = 16384) : max_bytes_(max_bytes) {}

    /// Adds bytes from the port; appends what they complete to `events`.
    void Feed(std::string_view bytes, std::vector<SplitEvent>& events);

private:
    enum class State { Outside, InTelegram, InCrcLine };

    void Take(char c, std::vector<SplitEvent>& events);

    std::size_t max_bytes_;
    State state_ = State::Outside;
    std::string telegram_;
};

} // namespace meteremu::dsmr
