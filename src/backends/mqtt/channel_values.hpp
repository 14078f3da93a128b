// SPDX-License-Identifier: MIT
// The latest value of every configured topic, and the grid reading they make together. A
// reading exists once every channel has a value; after that each new value makes a new
// reading with the others' latest values, and the reading is as old as its oldest value (so a
// topic that falls silent makes the reading stale, however lively the others are). See
// docs/protocols/mqtt.md#readings.
#pragma once

#include "backends/mqtt/mqtt_options.hpp"
#include "backends/mqtt/mqtt_payload.hpp"
#include "core/reading.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meteremu::mqtt {

/// What one message did.
struct MessageOutcome {
    std::size_t updated = 0; ///< channels that took a value from it
    /// Why a channel of its topic found no value in it. A field missing from a message on a
    /// topic several channels share is not an error: such meters publish one field at a time.
    std::optional<PayloadError> error;
};

class ChannelValues {
public:
    ChannelValues(std::vector<Channel> channels, double scale, bool invert);

    /// Each topic once, in configuration order: what to subscribe to.
    std::vector<std::string> Topics() const;

    /// Takes the values a message on `topic` carries, received at `at` (`wall_at` on the
    /// wall clock).
    MessageOutcome Apply(std::string_view topic, std::string_view payload, SteadyTime at,
                         WallTime wall_at);

    /// Whether every channel has a value, so Compose() can make a reading.
    bool Complete() const noexcept;

    /// The grid reading of the latest values: per phase when the topics are per phase, else the
    /// whole connection on phase A. Only powers are known; energy is left to the caller.
    Reading Compose() const;

    /// The first channel without a value since `since`, or null.
    const Channel* SilentSince(SteadyTime since) const noexcept;

private:
    struct Latest {
        double value = 0;
        SteadyTime at{};
        WallTime wall_at{};
    };

    bool SharedTopic(std::string_view topic) const noexcept;
    double Signed(std::size_t index) const noexcept;

    std::vector<Channel> channels_;
    std::vector<std::optional<Latest>> latest_;
    double scale_;
    bool invert_;
};

} // namespace meteremu::mqtt
