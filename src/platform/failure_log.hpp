// SPDX-License-Identifier: MIT
// Rate-limited logging of something that keeps failing, such as polling a gateway that is
// down: a warning on the first failure, debug lines while it repeats, one notice when it
// recovers. An outage of any length costs two lines at the default level.
#pragma once

#include "platform/log.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace meteremu::log {

class FailureLog {
public:
    explicit FailureLog(Domain domain) noexcept : domain_(domain) {}

    /// Logs `message` as a warning when it starts a run of failures, as debug otherwise.
    void Failed(std::string_view message) noexcept;

    /// Ends a run of failures with a notice: "<message> after 1 min 30 s (45 failed attempts)".
    /// Does nothing when nothing was failing.
    void Recovered(std::string_view message) noexcept;

    bool Failing() const noexcept { return failing_; }
    /// When the current run started (wall clock, for status lines).
    std::chrono::system_clock::time_point Since() const noexcept { return since_wall_; }
    unsigned Count() const noexcept { return count_; }

private:
    Domain domain_;
    bool failing_ = false;
    unsigned count_ = 0;
    std::chrono::steady_clock::time_point since_{};
    std::chrono::system_clock::time_point since_wall_{};
};

/// "45 s", "1 min 30 s", "2 h 5 min".
std::string FormatDuration(std::chrono::steady_clock::duration duration);

} // namespace meteremu::log
