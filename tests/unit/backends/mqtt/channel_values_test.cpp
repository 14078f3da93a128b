// SPDX-License-Identifier: MIT
// Topics' latest values → one grid reading: complete only with every topic, as old as its
// oldest value, signed + import / − export, scaled and inverted.
#include "backends/mqtt/channel_values.hpp"
#include "support/mqtt_capture.hpp"

#include <gtest/gtest.h>

namespace meteremu::mqtt {
namespace {

using namespace std::chrono_literals;

Channel Net(std::string topic, std::string pointer, std::optional<std::size_t> phase) {
    return {std::move(topic), JsonPointer::Parse(pointer), Measure::Net, phase, "topic"};
}

TEST(ChannelValuesTest, TasmotaPerValueMessagesMakeOneReadingOnceEveryPhaseArrived) {
    std::string topic = "grid/meters/SENSOR";
    ChannelValues values({Net(topic, "/grid/power_L1", 0), Net(topic, "/grid/power_L2", 1),
                          Net(topic, "/grid/power_L3", 2)},
                         1.0, false);
    EXPECT_EQ(values.Topics(), std::vector<std::string>{topic});
    SteadyTime t0{};
    auto messages = test::MqttCapture("tasmota_sml_per-value-publish_mrmanuel-pr8.jsonl");
    ASSERT_EQ(messages.size(), 4u);
    for (std::size_t i = 0; i < messages.size(); ++i) {
        MessageOutcome outcome =
            values.Apply(messages[i].topic, messages[i].payload, t0 + i * 20ms, WallTime{});
        // The total (first message) names no phase: a field missing from a shared topic's
        // message is how such a meter publishes, not an error.
        EXPECT_FALSE(outcome.error) << i;
        EXPECT_EQ(outcome.updated, i == 0 ? 0u : 1u);
        EXPECT_EQ(values.Complete(), i == 3);
    }
    Reading reading = values.Compose();
    EXPECT_DOUBLE_EQ(reading[Phase::A].act_power, 20);
    EXPECT_DOUBLE_EQ(reading[Phase::B].act_power, 29);
    EXPECT_DOUBLE_EQ(reading[Phase::C].act_power, 261);
    EXPECT_EQ(reading.received_at, t0 + 20ms); // the oldest value's arrival
}

TEST(ChannelValuesTest, ImportMinusExportScaledAndInverted) {
    ChannelValues values({{"in", JsonPointer{}, Measure::Import, std::nullopt, "import_topic"},
                          {"out", JsonPointer{}, Measure::Export, std::nullopt, "export_topic"}},
                         1000.0, true);
    SteadyTime t0{};
    values.Apply("in", "0.25", t0, WallTime{});
    EXPECT_FALSE(values.Complete());
    values.Apply("out", "1.5", t0 + 1s, WallTime{});
    ASSERT_TRUE(values.Complete());
    Reading reading = values.Compose();
    EXPECT_DOUBLE_EQ(reading[Phase::A].act_power, 1250); // −(250 − 1500)
    EXPECT_DOUBLE_EQ(reading[Phase::B].act_power, 0);
}

// Hand-written messages in the shape of Tasmota's energy driver (tele/<topic>/SENSOR).
TEST(ChannelValuesTest, ADedicatedTopicWithoutTheFieldIsAnError) {
    ChannelValues values({Net("tele/meter/SENSOR", "/ENERGY/Power", std::nullopt)}, 1.0, false);
    MessageOutcome missing =
        values.Apply("tele/meter/SENSOR", R"({"ENERGY":{"Total":3}})", SteadyTime{}, WallTime{});
    ASSERT_TRUE(missing.error);
    EXPECT_EQ(missing.error->Problem(), PayloadProblem::MissingField);
    MessageOutcome garbage =
        values.Apply("tele/meter/SENSOR", "\x01\x02", SteadyTime{}, WallTime{});
    ASSERT_TRUE(garbage.error);
    EXPECT_EQ(garbage.error->Problem(), PayloadProblem::Unparsable);
    EXPECT_EQ(values.Apply("other", "1", SteadyTime{}, WallTime{}).updated, 0u);
    EXPECT_FALSE(values.Complete());
}

TEST(ChannelValuesTest, SilentSinceNamesTheTopicThatFellSilent) {
    ChannelValues values({Net("a", "", 0), Net("b", "", 1), Net("c", "", 2)}, 1.0, false);
    SteadyTime t0{};
    EXPECT_EQ(values.SilentSince(t0)->topic, "a"); // never had a value
    values.Apply("a", "1", t0 + 5s, WallTime{});
    values.Apply("b", "1", t0 + 1s, WallTime{});
    values.Apply("c", "1", t0 + 5s, WallTime{});
    EXPECT_EQ(values.SilentSince(t0 + 2s)->topic, "b");
    EXPECT_EQ(values.SilentSince(t0 + 1s), nullptr);
}

} // namespace
} // namespace meteremu::mqtt
