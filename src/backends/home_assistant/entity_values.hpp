// SPDX-License-Identifier: MIT
// The latest value of every configured entity, and the grid reading they make together. Home
// Assistant sends an entity's state only when it changes, so a value stays valid until the
// next one, or until the connection that would have carried a change is lost: a live
// connection renews every value (Renew). A reading exists while every entity has a value; it
// is as old as its oldest value. See docs/protocols/home-assistant.md#readings.
#pragma once

#include "backends/home_assistant/ha_messages.hpp"
#include "backends/home_assistant/ha_options.hpp"
#include "core/reading.hpp"

#include <optional>
#include <string>
#include <vector>

namespace meteremu::home_assistant {

/// What an update did to a configured entity.
enum class UpdateOutcome {
    NotConfigured, ///< not one of ours: ignored
    Value,         ///< it has a value now
    NoValue,       ///< "unavailable" or "unknown": no value until the next state
    Removed,       ///< the entity is gone
};

class EntityValues {
public:
    EntityValues(std::vector<Entity> entities, bool invert);

    /// Each configured entity id once, in configuration order: what to subscribe to.
    std::vector<std::string> EntityIds() const;

    /// Takes an update received at `at` (`wall_at` on the wall clock). Throws MessageError for a
    /// state that is not a number or a unit that is not one of power (the entity then has no
    /// value).
    UpdateOutcome Apply(const EntityUpdate& update, SteadyTime at, WallTime wall_at);

    /// The server vouched at `at` that nothing changed: every value is as new as `at`.
    void Renew(SteadyTime at, WallTime wall_at) noexcept;

    /// Whether every entity has a value, so Compose() can make a reading.
    bool Complete() const noexcept;

    /// The first entity without a value, or null.
    const Entity* Missing() const noexcept;

    /// The grid reading of the latest values: per phase when the entities are per phase, else
    /// the whole connection on phase A. Only powers are known; energy is left to the caller.
    Reading Compose() const;

private:
    struct Known {
        bool full = false; ///< a full state came (REST, or an "a" event): diffs apply to it
        std::optional<std::string> state;
        std::optional<std::string> unit;
        std::optional<double> watts;
        SteadyTime at{};
        WallTime wall_at{};
    };

    double Signed(std::size_t index) const noexcept;

    std::vector<Entity> entities_;
    std::vector<Known> known_;
    bool invert_;
};

} // namespace meteremu::home_assistant
