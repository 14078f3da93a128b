// SPDX-License-Identifier: MIT
// The journal lines a person can act on when a battery does not find the meter or stops
// using it: a notice when an address polls for the first time (transport and port), when one
// that polled regularly goes quiet, and when it polls again. At most kPerMinute lines a
// minute, so a scan of the network cannot flood the journal; the rest is counted in one line.
#pragma once

#include "net/client_tracker.hpp"

#include <cstddef>
#include <span>
#include <string>

namespace meteremu {

class ClientLog {
public:
    static constexpr std::size_t kPerMinute = 10;

    /// Logs `events` (ClientTracker::TakeEvents at `now`) as notices, within the budget.
    void Report(std::span<const ClientEvent> events, SteadyTime now);

    /// The line for `event` at `now`, e.g. "client 192.168.1.50 polls for the first time,
    /// over UDP port 12345".
    static std::string Describe(const ClientEvent& event, SteadyTime now);

private:
    SteadyTime minute_start_{};
    std::size_t logged_ = 0;
    std::size_t left_out_ = 0;
};

} // namespace meteremu
