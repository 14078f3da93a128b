// SPDX-License-Identifier: MIT
// Home Assistant's messages against every capture of tests/fixtures/home_assistant (synthetic,
// see its PROVENANCE.md): the REST states, the subscribe_entities session frame by frame, the
// edge cases; and the messages the client sends, byte for byte as in the session.
#include "backends/home_assistant/entity_values.hpp"
#include "backends/home_assistant/ha_messages.hpp"
#include "util/json.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace meteremu::home_assistant {
namespace {

using Type = ServerMessage::Type;

std::string Fixture(const std::string& name) {
    std::ifstream file(std::string(METEREMU_FIXTURES_DIR) + "/home_assistant/" + name);
    EXPECT_TRUE(file) << name;
    std::stringstream content;
    content << file.rdbuf();
    return content.str();
}

struct Frame {
    std::string dir;
    std::string text;
};

/// The frames of a .jsonl capture, in order.
std::vector<Frame> Frames(const std::string& name) {
    std::vector<Frame> frames;
    std::istringstream lines(Fixture(name));
    for (std::string line; std::getline(lines, line);) {
        if (line.empty()) continue;
        JsonPtr record(json_loads(line.c_str(), 0, nullptr));
        frames.push_back({json_string_value(json_object_get(record.get(), "dir")),
                          json_string_value(json_object_get(record.get(), "frame"))});
    }
    return frames;
}

std::optional<double> WattsOf(const EntityUpdate& update) {
    return Watts(*update.state, update.unit);
}

TEST(HaMessagesTest, RestStatesOfTheCaptures) {
    EntityUpdate grid = ParseRestState(Fixture("rest_api_states_sensor.grid_power_SYNTHETIC.json"));
    EXPECT_EQ(grid.entity_id, "sensor.grid_power");
    EXPECT_EQ(grid.kind, EntityUpdate::Kind::Full);
    EXPECT_EQ(grid.unit, "W");
    EXPECT_EQ(WattsOf(grid), -412.7);
    EntityUpdate unavailable =
        ParseRestState(Fixture("rest_api_states_sensor.grid_power_unavailable_SYNTHETIC.json"));
    EXPECT_EQ(unavailable.state, "unavailable");
    EXPECT_EQ(WattsOf(unavailable), std::nullopt);
    EntityUpdate pv = ParseRestState(Fixture("rest_api_states_sensor.pv_power_kW_SYNTHETIC.json"));
    EXPECT_EQ(pv.entity_id, "sensor.pv_power");
    EXPECT_EQ(pv.unit, "kW");
    EXPECT_DOUBLE_EQ(*WattsOf(pv), 2200.0);
}

TEST(HaMessagesTest, TheSubscribeEntitiesSessionFrameByFrame) {
    std::vector<Frame> frames = Frames("ws_subscribe_entities_session_SYNTHETIC.jsonl");
    ASSERT_EQ(frames.size(), 12u);
    // What the client sends is exactly what the capture shows (the token was REDACTED there).
    EXPECT_EQ(AuthMessage("REDACTED"), frames[1].text);
    EXPECT_EQ(SubscribeEntitiesMessage(1, {"sensor.grid_power"}), frames[3].text);
    EXPECT_EQ(PingMessage(2), frames[10].text);

    EntityValues values({{"sensor.grid_power", Measure::Net, std::nullopt, "entity"}}, false);
    std::vector<std::optional<double>> served;
    std::vector<Type> types;
    for (const Frame& frame : frames) {
        if (frame.dir != "S") continue;
        for (const ServerMessage& message : ParseServerMessages(frame.text)) {
            types.push_back(message.type);
            for (const EntityUpdate& update : message.updates) {
                values.Apply(update, SteadyTime{}, WallTime{});
                served.push_back(values.Complete()
                                     ? std::optional(values.Compose()[Phase::A].act_power)
                                     : std::nullopt);
            }
        }
    }
    EXPECT_EQ(types,
              (std::vector<Type>{Type::AuthRequired, Type::AuthOk, Type::Result, Type::Event,
                                 Type::Event, Type::Event, Type::Event, Type::Event, Type::Pong}));
    EXPECT_EQ(served, (std::vector<std::optional<double>>{-412.7, -398.1, -398.1, std::nullopt,
                                                          std::nullopt}));
}

TEST(HaMessagesTest, TheEdgeCases) {
    std::vector<Frame> frames = Frames("ws_edge_cases_SYNTHETIC.jsonl");
    ASSERT_EQ(frames.size(), 3u);
    auto invalid = ParseServerMessages(frames[0].text);
    ASSERT_EQ(invalid.size(), 1u);
    EXPECT_EQ(invalid[0].type, Type::AuthInvalid);
    EXPECT_EQ(invalid[0].error, "Invalid access token or password");

    auto coalesced = ParseServerMessages(frames[1].text);
    ASSERT_EQ(coalesced.size(), 2u);
    EXPECT_EQ(coalesced[0].type, Type::Result);
    EXPECT_TRUE(coalesced[0].success);
    EXPECT_EQ(coalesced[1].id, 2);
    ASSERT_EQ(coalesced[1].updates.size(), 1u);
    EXPECT_EQ(coalesced[1].updates[0].kind, EntityUpdate::Kind::Diff);
    EXPECT_EQ(coalesced[1].updates[0].state, "155.0");

    auto failed = ParseServerMessages(frames[2].text);
    ASSERT_EQ(failed.size(), 1u);
    EXPECT_FALSE(failed[0].success);
    EXPECT_EQ(failed[0].error, "unknown_command: Unknown command.");
}

TEST(HaMessagesTest, GarbageIsAMessageError) {
    EXPECT_THROW(ParseServerMessages("not json"), MessageError);
    EXPECT_THROW(ParseServerMessages(R"({"id":1})"), MessageError);
    EXPECT_THROW(ParseServerMessages("[1]"), MessageError);
    EXPECT_THROW(
        ParseServerMessages(R"({"id":1,"type":"event","event":{"a":{"sensor.x":{"s":5}}}})"),
        MessageError);
    EXPECT_THROW(ParseServerMessages(R"({"id":1,"type":"event"})"), MessageError);
    EXPECT_THROW(ParseRestState(R"({"entity_id":"sensor.x"})"), MessageError);
    EXPECT_EQ(ParseServerMessages(R"({"type":"something_new"})")[0].type, Type::Other);
}

TEST(HaMessagesTest, UnitsAndStates) {
    EXPECT_EQ(Watts("-12.5", std::nullopt), -12.5);
    EXPECT_EQ(Watts("1.5", "MW"), 1.5e6);
    EXPECT_EQ(Watts("unknown", "W"), std::nullopt);
    EXPECT_THROW(Watts("12", "kWh"), MessageError);
    EXPECT_THROW(Watts("on", "W"), MessageError);
    EXPECT_THROW(Watts("nan", "W"), MessageError);
    EXPECT_THROW(Watts("", "W"), MessageError);
}

TEST(HaMessagesTest, ADiffRemovingTheUnitFallsBackToWatts) {
    auto messages = ParseServerMessages(
        R"({"id":1,"type":"event","event":{"c":{"sensor.p":{"+":{"s":"3"},"-":{"a":["unit_of_measurement"]}}}}})");
    ASSERT_EQ(messages[0].updates.size(), 1u);
    EXPECT_TRUE(messages[0].updates[0].unit_removed);
}

TEST(HaMessagesTest, TheTokenIsEscaped) {
    EXPECT_EQ(AuthMessage("a\"b\\c"), R"({"type":"auth","access_token":"a\"b\\c"})");
}

} // namespace
} // namespace meteremu::home_assistant
