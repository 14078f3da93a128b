// SPDX-License-Identifier: MIT
#include "backends/home_assistant/entity_values.hpp"

#include <algorithm>

namespace meteremu::home_assistant {

EntityValues::EntityValues(std::vector<Entity> entities, bool invert)
    : entities_(std::move(entities)), known_(entities_.size()), invert_(invert) {}

std::vector<std::string> EntityValues::EntityIds() const {
    std::vector<std::string> ids;
    for (const Entity& entity : entities_)
        if (std::find(ids.begin(), ids.end(), entity.entity_id) == ids.end())
            ids.push_back(entity.entity_id);
    return ids;
}

UpdateOutcome EntityValues::Apply(const EntityUpdate& update, SteadyTime at, WallTime wall_at) {
    UpdateOutcome outcome = UpdateOutcome::NotConfigured;
    for (std::size_t i = 0; i < entities_.size(); ++i) {
        if (entities_[i].entity_id != update.entity_id) continue;
        Known& known = known_[i];
        if (update.kind == EntityUpdate::Kind::Removed) {
            known = Known{};
            outcome = UpdateOutcome::Removed;
            continue;
        }
        if (update.kind == EntityUpdate::Kind::Full) {
            known = Known{};
            known.full = true;
        } else if (!known.full) {
            // A diff needs the full state it changes: without it the unit is unknown.
            outcome = UpdateOutcome::NoValue;
            continue;
        }
        if (update.state) known.state = update.state;
        if (update.unit) known.unit = update.unit;
        if (update.unit_removed && !update.unit) known.unit.reset();
        known.watts.reset();
        if (!known.state) {
            outcome = UpdateOutcome::NoValue;
            continue;
        }
        known.watts = Watts(*known.state, known.unit);
        known.at = at;
        known.wall_at = wall_at;
        outcome = known.watts ? UpdateOutcome::Value : UpdateOutcome::NoValue;
    }
    return outcome;
}

void EntityValues::Renew(SteadyTime at, WallTime wall_at) noexcept {
    for (Known& known : known_)
        if (known.watts && known.at < at) {
            known.at = at;
            known.wall_at = wall_at;
        }
}

bool EntityValues::Complete() const noexcept {
    return Missing() == nullptr;
}

const Entity* EntityValues::Missing() const noexcept {
    for (std::size_t i = 0; i < entities_.size(); ++i)
        if (!known_[i].watts) return &entities_[i];
    return nullptr;
}

double EntityValues::Signed(std::size_t index) const noexcept {
    double value = *known_[index].watts;
    return entities_[index].measure == Measure::Export ? -value : value;
}

Reading EntityValues::Compose() const {
    Reading reading;
    reading.received_at = SteadyTime::max();
    for (std::size_t i = 0; i < entities_.size(); ++i) {
        std::size_t phase = entities_[i].phase.value_or(0);
        reading.phases[phase].act_power += invert_ ? -Signed(i) : Signed(i);
        if (known_[i].at < reading.received_at) {
            reading.received_at = known_[i].at;
            reading.measured_at = known_[i].wall_at;
        }
    }
    return reading;
}

} // namespace meteremu::home_assistant
