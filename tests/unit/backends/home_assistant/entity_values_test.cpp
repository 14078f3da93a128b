// SPDX-License-Identifier: MIT
// The configured entities' values → one grid reading: signs, phases, units, invert, and how a
// live connection renews the values' age.
#include "backends/home_assistant/entity_values.hpp"

#include <gtest/gtest.h>

namespace meteremu::home_assistant {
namespace {

using namespace std::chrono_literals;

EntityUpdate Full(std::string id, std::string state, std::string unit = "W") {
    EntityUpdate update;
    update.entity_id = std::move(id);
    update.state = std::move(state);
    update.unit = std::move(unit);
    return update;
}

EntityUpdate Diff(std::string id, std::string state) {
    EntityUpdate update;
    update.entity_id = std::move(id);
    update.kind = EntityUpdate::Kind::Diff;
    update.state = std::move(state);
    return update;
}

const SteadyTime kStart = SteadyTime{} + 100s;

TEST(EntityValuesTest, ImportMinusExportPerPhaseInKilowatts) {
    std::vector<Entity> entities;
    const char* phases = "abc";
    for (std::size_t phase = 0; phase < 3; ++phase) {
        std::string suffix(1, phases[phase]);
        entities.push_back(
            {"sensor.in_" + suffix, Measure::Import, phase, "import_entity_" + suffix});
        entities.push_back(
            {"sensor.out_" + suffix, Measure::Export, phase, "export_entity_" + suffix});
    }
    EntityValues values(entities, false);
    for (const char* id :
         {"sensor.in_a", "sensor.out_a", "sensor.in_b", "sensor.out_b", "sensor.in_c"}) {
        EXPECT_EQ(values.Apply(Full(id, "0.5", "kW"), kStart, {}), UpdateOutcome::Value);
        EXPECT_FALSE(values.Complete());
    }
    EXPECT_EQ(values.Missing()->key, "export_entity_c");
    values.Apply(Full("sensor.out_c", "1.25", "kW"), kStart, {});
    ASSERT_TRUE(values.Complete());
    Reading reading = values.Compose();
    EXPECT_EQ(reading[Phase::A].act_power, 0.0);
    EXPECT_EQ(reading[Phase::B].act_power, 0.0);
    EXPECT_EQ(reading[Phase::C].act_power, -750.0);
    EXPECT_EQ(values.EntityIds().size(), 6u);
}

TEST(EntityValuesTest, InvertAndUnconfiguredEntities) {
    EntityValues values({{"sensor.grid", Measure::Net, std::nullopt, "entity"}}, true);
    EXPECT_EQ(values.Apply(Full("sensor.other", "5"), kStart, {}), UpdateOutcome::NotConfigured);
    values.Apply(Full("sensor.grid", "300"), kStart, {});
    EXPECT_EQ(values.Compose()[Phase::A].act_power, -300.0);
}

TEST(EntityValuesTest, UnavailableRemovedAndBadStatesLeaveNoValue) {
    EntityValues values({{"sensor.grid", Measure::Net, std::nullopt, "entity"}}, false);
    values.Apply(Full("sensor.grid", "300"), kStart, {});
    EXPECT_EQ(values.Apply(Diff("sensor.grid", "unavailable"), kStart, {}), UpdateOutcome::NoValue);
    EXPECT_FALSE(values.Complete());
    EXPECT_EQ(values.Apply(Diff("sensor.grid", "310"), kStart, {}), UpdateOutcome::Value);
    EXPECT_EQ(values.Compose()[Phase::A].act_power,
              310.0); // the unit W is kept from the full state
    EXPECT_THROW(values.Apply(Diff("sensor.grid", "on"), kStart, {}), MessageError);
    EXPECT_FALSE(values.Complete());
    values.Apply(Diff("sensor.grid", "320"), kStart, {});
    EntityUpdate removed;
    removed.entity_id = "sensor.grid";
    removed.kind = EntityUpdate::Kind::Removed;
    EXPECT_EQ(values.Apply(removed, kStart, {}), UpdateOutcome::Removed);
    EXPECT_FALSE(values.Complete());
    EXPECT_EQ(values.Apply(Diff("sensor.grid", "5"), kStart, {}), UpdateOutcome::NoValue)
        << "a diff without a full state before it has nothing to apply to";
}

TEST(EntityValuesTest, TheReadingIsAsOldAsItsOldestValueUntilRenewed) {
    EntityValues values({{"sensor.a", Measure::Net, 0, "entity_a"},
                         {"sensor.b", Measure::Net, 1, "entity_b"},
                         {"sensor.c", Measure::Net, 2, "entity_c"}},
                        false);
    values.Apply(Full("sensor.a", "1"), kStart, {});
    values.Apply(Full("sensor.b", "2"), kStart + 5s, {});
    values.Apply(Full("sensor.c", "3"), kStart + 9s, {});
    EXPECT_EQ(values.Compose().received_at, kStart);
    values.Renew(kStart + 7s, {});
    EXPECT_EQ(values.Compose().received_at, kStart + 7s);
    values.Renew(kStart + 20s, {});
    EXPECT_EQ(values.Compose().received_at, kStart + 20s);
}

} // namespace
} // namespace meteremu::home_assistant
