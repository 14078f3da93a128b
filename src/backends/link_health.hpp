// SPDX-License-Identifier: MIT
// A push source's connection for the systemd STATUS line (MQTT, Home Assistant): "mqtt ok",
// "mqtt auth refused since 23:01, retrying in 8 s", "home_assistant: no value on entity_b".
// Set by the backend's thread, read by the daemon's.
#pragma once

#include "core/reading.hpp"

#include <mutex>
#include <string>

namespace meteremu {

/// The wait before the next connection attempt after `failed_attempts` failed in a row: 1 s
/// after the first, doubling up to 30 s.
Seconds RetryWaitAfter(unsigned failed_attempts) noexcept;

class LinkHealth {
public:
    /// `source` starts every summary, e.g. "mqtt".
    explicit LinkHealth(std::string source) : source_(std::move(source)) {}

    /// A lasting condition, e.g. "ok" or ": connecting to broker:1883".
    void Set(std::string text);
    /// Failing since `since`, the next attempt after `retry_in`.
    void SetFailing(std::string what, WallTime since, Seconds retry_in);

    /// Thread-safe.
    std::string Summary() const;

private:
    std::string source_;
    mutable std::mutex mutex_;
    std::string text_ = ": starting";
    bool failing_ = false;
    WallTime since_{};
    SteadyTime retry_at_{};
};

} // namespace meteremu
