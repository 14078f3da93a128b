// SPDX-License-Identifier: MIT
// The MQTT backend's condition for the systemd STATUS line: "mqtt ok", "mqtt auth refused
// since 23:01, retrying in 8 s", "mqtt: no value on topic_b for 30 s". Set by the backend's
// thread, read by the daemon's.
#pragma once

#include "core/reading.hpp"

#include <mutex>
#include <string>

namespace meteremu::mqtt {

class Health {
public:
    /// A lasting condition, e.g. "ok" or ": connecting to broker:1883".
    void Set(std::string text);
    /// Failing since `since`, the next attempt after `retry_in`.
    void SetFailing(std::string what, WallTime since, Seconds retry_in);

    /// Thread-safe.
    std::string Summary() const;

private:
    mutable std::mutex mutex_;
    std::string text_ = ": starting";
    bool failing_ = false;
    WallTime since_{};
    SteadyTime retry_at_{};
};

} // namespace meteremu::mqtt
