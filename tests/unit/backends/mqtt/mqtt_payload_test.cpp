// SPDX-License-Identifier: MIT
// MQTT payloads: plain numbers and numbers found by JSON Pointer, against the captures of
// tests/fixtures/mqtt and a Shelly Pro 3EM's em:0 status.
#include "backends/mqtt/mqtt_payload.hpp"
#include "support/mqtt_capture.hpp"

#include <gtest/gtest.h>

namespace meteremu::mqtt {
namespace {

/// The payload's value at `pointer` (RFC 6901 text; "": a plain number).
double ValueOf(std::string_view payload, std::string_view pointer) {
    return ParsePayload(payload, JsonPointer::Parse(pointer));
}

PayloadProblem ProblemOf(std::string_view payload, std::string_view pointer) {
    try {
        ValueOf(payload, pointer);
    } catch (const PayloadError& error) {
        return error.Problem();
    }
    ADD_FAILURE() << "no error for " << payload;
    return PayloadProblem::Unparsable;
}

TEST(MqttPayloadTest, EsphomeStateTopicsArePlainNumbersOrWords) {
    auto messages = test::MqttCapture("esphome_state_topics_syssi-issue71.jsonl");
    ASSERT_EQ(messages.size(), 6u);
    EXPECT_EQ(messages[2].topic, "attic-powerwall/sensor/inverter0_power_demand/state");
    EXPECT_DOUBLE_EQ(ValueOf(messages[2].payload, ""), 190.0);
    EXPECT_DOUBLE_EQ(ValueOf(messages[3].payload, ""), 0.0);
    EXPECT_DOUBLE_EQ(ValueOf(messages[4].payload, ""), 0.105);
    EXPECT_EQ(ProblemOf(messages[0].payload, ""), PayloadProblem::Unparsable); // "Normal"
    EXPECT_EQ(ProblemOf(messages[5].payload, ""), PayloadProblem::Unparsable); // "OFF"
}

TEST(MqttPayloadTest, TasmotaSmlPublishesOneFieldPerMessage) {
    auto messages = test::MqttCapture("tasmota_sml_per-value-publish_mrmanuel-pr8.jsonl");
    ASSERT_EQ(messages.size(), 4u);
    EXPECT_DOUBLE_EQ(ValueOf(messages[0].payload, "/grid/power"), 310.0);
    EXPECT_DOUBLE_EQ(ValueOf(messages[1].payload, "/grid/power_L1"), 20.0);
    EXPECT_DOUBLE_EQ(ValueOf(messages[2].payload, "/grid/power_L2"), 29.0);
    EXPECT_DOUBLE_EQ(ValueOf(messages[3].payload, "/grid/power_L3"), 261.0);
    EXPECT_EQ(ProblemOf(messages[0].payload, "/grid/power_L1"), PayloadProblem::MissingField);
    EXPECT_EQ(ProblemOf(messages[0].payload, "/Time"), PayloadProblem::NotANumber);
}

TEST(MqttPayloadTest, ShellyEmStatusGivesEveryPhase) {
    std::string status = test::Fixture(
        "shelly/misc_real_captures/pro3em_2023_em0_status_change_notification_payload.json");
    EXPECT_DOUBLE_EQ(ValueOf(status, "/a_act_power"), 2403.7);
    EXPECT_DOUBLE_EQ(ValueOf(status, "/b_act_power"), 409.1);
    EXPECT_DOUBLE_EQ(ValueOf(status, "/c_act_power"), 235.3);
    EXPECT_EQ(ProblemOf(status, "/n_current"), PayloadProblem::NotANumber); // null
}

TEST(MqttPayloadTest, PlainNumbersToleratesSpaceButNothingElse) {
    EXPECT_DOUBLE_EQ(ValueOf(" -1234.5\n", ""), -1234.5);
    EXPECT_DOUBLE_EQ(ValueOf("1e3", ""), 1000.0);
    for (std::string_view bad : {"", "nan", "inf", "12 W", "0x10", "\"12\"", "unavailable"})
        EXPECT_EQ(ProblemOf(bad, ""), PayloadProblem::Unparsable) << bad;
}

TEST(MqttPayloadTest, PointersFollowRfc6901) {
    std::string_view doc = R"({"a/b":{"m~n":[1,{"x":"2.5"}]},"":7})";
    EXPECT_DOUBLE_EQ(ValueOf(doc, "/a~1b/m~0n/0"), 1.0);
    EXPECT_DOUBLE_EQ(ValueOf(doc, "/a~1b/m~0n/1/x"), 2.5); // a number sent as a string
    EXPECT_DOUBLE_EQ(ValueOf(doc, "/"), 7.0);              // the empty key
    EXPECT_EQ(ProblemOf(doc, "/a~1b/m~0n/01"), PayloadProblem::MissingField);
    EXPECT_EQ(ProblemOf(doc, "/a~1b/m~0n/-"), PayloadProblem::MissingField);
    EXPECT_EQ(ProblemOf(doc, "/a~1b/m~0n/2"), PayloadProblem::MissingField);
    EXPECT_EQ(ProblemOf(doc, "/a~1b/m~0n"), PayloadProblem::NotANumber);
    EXPECT_EQ(ProblemOf("{\"a\":1", "/a"), PayloadProblem::Unparsable);
    EXPECT_EQ(ProblemOf("<html>", "/a"), PayloadProblem::Unparsable);
}

TEST(MqttPayloadTest, ErrorsQuoteOnlyAShortPrintablePart) {
    std::string payload(1000, 'x');
    payload[3] = '\n';
    try {
        ValueOf(payload, "");
        FAIL();
    } catch (const PayloadError& error) {
        std::string text = error.what();
        EXPECT_LT(text.size(), 100u);
        EXPECT_EQ(text.find('\n'), std::string::npos);
    }
}

} // namespace
} // namespace meteremu::mqtt
