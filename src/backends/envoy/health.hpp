// SPDX-License-Identifier: MIT
// The Envoy poller's condition, set by the polling thread and read by the daemon for the
// systemd STATUS line: "envoy ok", "envoy unreachable since 23:01, retrying in 4 s", ...
#pragma once

#include "core/reading.hpp"

#include <mutex>
#include <string>

namespace meteremu::envoy {

enum class Condition {
    Starting,
    Ok,
    Slow,       ///< data from /production.json, every 30 s
    Failing,    ///< `detail` says how: "unreachable", "rejects the token", ...
    NoGridData, ///< no enabled consumption CT
    NeedsToken, ///< `detail` says why: "needs a token", "token expired"
};

class Health {
public:
    /// A lasting condition (not failing).
    void Set(Condition condition, std::string detail = {});
    /// Failing since the run's start, next attempt after `retry_in`.
    void SetFailing(std::string detail, WallTime since, Seconds retry_in);

    /// A short line for STATUS=. Thread-safe.
    std::string Summary() const;

private:
    mutable std::mutex mutex_;
    Condition condition_ = Condition::Starting;
    std::string detail_;
    WallTime since_{};
    SteadyTime retry_at_{};
};

} // namespace meteremu::envoy
