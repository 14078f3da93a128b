// SPDX-License-Identifier: MIT
#include "backends/dsmr_p1/telegram_splitter.hpp"

namespace meteremu::dsmr {

void TelegramSplitter::Feed(std::string_view bytes, std::vector<SplitEvent>& events) {
    for (char c : bytes)
        Take(c, events);
}

void TelegramSplitter::Take(char c, std::vector<SplitEvent>& events) {
    // "/" appears nowhere in a telegram but at its start (text messages are sent in hex):
    // wherever it comes, a new telegram starts.
    if (c == '/') {
        if (state_ != State::Outside)
            events.push_back({false, Fault::CutShort, std::move(telegram_)});
        telegram_.assign(1, c);
        state_ = State::InTelegram;
        return;
    }
    if (state_ == State::Outside) return;
    telegram_ += c;
    if (telegram_.size() > max_bytes_) {
        events.push_back({false, Fault::TooLong, std::move(telegram_)});
        telegram_.clear();
        state_ = State::Outside;
        return;
    }
    if (state_ == State::InTelegram && c == '!')
        state_ = State::InCrcLine;
    else if (state_ == State::InCrcLine && c == '\n') {
        events.push_back({true, Fault::CutShort, std::move(telegram_)});
        telegram_.clear();
        state_ = State::Outside;
    }
}

} // namespace meteremu::dsmr
