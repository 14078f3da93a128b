// SPDX-License-Identifier: MIT
// Request and response frames as a real Shelly Gen2 device reads and writes them.
#include "frontends/jsonrpc/rpc_frame.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

/// Answers every call with the method name and params it saw, or an error per method.
class EchoHandler final : public RpcHandler {
public:
    RpcAnswer Call(const RpcCall& call) noexcept override {
        return {Outcome(call), SourceId(), {}, false};
    }
    std::string_view SourceId() const noexcept override { return "shellypro3em-aabbccddeeff"; }

private:
    static RpcOutcome Outcome(const RpcCall& call) {
        if (call.method == "Fail") return RpcError{-105, "Bad id=7"};
        if (call.method == "NoData") return RpcError{rpc_code::kUnavailable, "stale"};
        std::string params = "null";
        if (call.params) params = JsonText(json_dumps(call.params, JSON_COMPACT)).get();
        return "{\"method\":\"" + std::string(call.method) + "\",\"params\":" + params + "}";
    }
};

TEST(RpcFrameTest, AnswersLikeTheRealDevice) {
    EchoHandler handler;
    // The 2023 MQTT capture: src = device id, dst = the caller's src, then result.
    FrameAnswer answer = AnswerFrame(
        handler, R"({"id":1,"src":"caller-GetStatus","method":"X.Get","params":{"id":0}})");
    ASSERT_TRUE(answer.reply);
    EXPECT_EQ(*answer.reply,
              R"({"id":1,"src":"shellypro3em-aabbccddeeff","dst":"caller-GetStatus",)"
              R"("result":{"method":"X.Get","params":{"id":0}}})");
    EXPECT_EQ(answer.src, "caller-GetStatus");
    EXPECT_FALSE(answer.unavailable);
}

TEST(RpcFrameTest, MarstekRequestWithoutSrcGetsNoDst) {
    EchoHandler handler;
    FrameAnswer answer =
        AnswerFrame(handler, R"({"id":1,"method":"EM.GetStatus","params":{"id":0}})");
    ASSERT_TRUE(answer.reply);
    EXPECT_EQ(*answer.reply, R"({"id":1,"src":"shellypro3em-aabbccddeeff",)"
                             R"("result":{"method":"EM.GetStatus","params":{"id":0}}})");
    EXPECT_FALSE(answer.src);
}

/// The id of the reply to a request with `id`, as the reply writes it.
std::string EchoedIdOf(const std::string& id) {
    EchoHandler handler;
    FrameAnswer answer = AnswerFrame(handler, R"({"id":)" + id + R"(,"method":"M"})");
    if (!answer.reply) return "(none)";
    return answer.reply->substr(6, answer.reply->find(",\"src\"") - 6);
}

TEST(RpcFrameTest, IntegerIdsAreEchoedAsNumbers) {
    EXPECT_EQ(EchoedIdOf("7"), "7");
    EXPECT_EQ(EchoedIdOf("0"), "0");
    EXPECT_EQ(EchoedIdOf("-3"), "-3");
    EXPECT_EQ(EchoedIdOf("9007199254740991"), "9007199254740991");   // 2^53 - 1
    EXPECT_EQ(EchoedIdOf("-9007199254740991"), "-9007199254740991"); // a double holds it
    // Beyond, a client reading numbers as doubles would see another id: a string keeps it.
    EXPECT_EQ(EchoedIdOf("9007199254740993"), "\"9007199254740993\"");
    EXPECT_EQ(EchoedIdOf("2.5"), "\"2.5\"");
    EXPECT_EQ(EchoedIdOf("null"), "(none)");
    EXPECT_EQ(EchoedIdOf("{}"), "(none)");
}

TEST(RpcFrameTest, CanonicalDigitStringIdsAreEchoedBareAsTheFirmwareDoes) {
    EXPECT_EQ(EchoedIdOf("\"42\""), "42");
    EXPECT_EQ(EchoedIdOf("\"0\""), "0");
    EXPECT_EQ(EchoedIdOf("\"999999999999999\""), "999999999999999"); // 15 digits
}

TEST(RpcFrameTest, OtherStringIdsAreEchoedAsStringsAndStayValidJson) {
    // "007" echoed bare would be invalid JSON; too many digits would not come back exactly.
    EchoHandler handler;
    for (const std::string id :
         {"007", "00", "1234567890123456", "12345678901234567890", "-1", ""}) {
        std::string reply = *AnswerFrame(handler, R"({"id":")" + id + R"(","method":"M"})").reply;
        JsonPtr parsed(json_loadb(reply.data(), reply.size(), 0, nullptr));
        ASSERT_TRUE(parsed) << reply;
        const json_t* echoed = json_object_get(parsed.get(), "id");
        ASSERT_TRUE(json_is_string(echoed)) << reply;
        EXPECT_EQ(json_string_value(echoed), id) << reply;
    }
    EXPECT_EQ(EchoedIdOf("\"a-1\""), "\"a-1\"");
    EXPECT_EQ(EchoedIdOf("\"say \\\"hi\\\"\""), "\"say \\\"hi\\\"\"");
    EXPECT_EQ(EchoedIdOf("\"tab\\there\\u0001\""), "\"tab\\there\\u0001\"");
}

TEST(RpcFrameTest, NotificationsGetNoReplyButAreCalled) {
    EchoHandler handler;
    FrameAnswer answer = AnswerFrame(handler, R"({"src":"ha","method":"Shelly.GetStatus"})");
    EXPECT_TRUE(answer.request);
    EXPECT_FALSE(answer.reply);
    EXPECT_EQ(answer.src, "ha");
}

TEST(RpcFrameTest, ResponsesAndNoiseAreIgnored) {
    EchoHandler handler;
    for (const char* text : {R"({"id":1,"src":"other","result":{}})", "not json", "[1,2]",
                             R"({"id":1,"method":7})", ""}) {
        FrameAnswer answer = AnswerFrame(handler, text);
        EXPECT_FALSE(answer.request) << text;
        EXPECT_FALSE(answer.reply) << text;
    }
}

TEST(RpcFrameTest, ErrorsAndBadParams) {
    EchoHandler handler;
    FrameAnswer failed = AnswerFrame(handler, R"({"id":"x","src":"me","method":"Fail"})");
    EXPECT_EQ(*failed.reply, R"({"id":"x","src":"shellypro3em-aabbccddeeff","dst":"me",)"
                             R"("error":{"code":-105,"message":"Bad id=7"}})");
    FrameAnswer bad = AnswerFrame(handler, R"({"id":2,"method":"M","params":[0]})");
    EXPECT_EQ(*bad.reply, R"({"id":2,"src":"shellypro3em-aabbccddeeff","error":)"
                          R"({"code":-103,"message":"Params must be a JSON object"}})");
    FrameAnswer none = AnswerFrame(handler, R"({"id":3,"method":"M","params":null})");
    EXPECT_NE(none.reply->find(R"("params":null)"), std::string::npos);
    FrameAnswer stale = AnswerFrame(handler, R"({"id":4,"method":"NoData"})");
    EXPECT_TRUE(stale.unavailable);
    EXPECT_NE(stale.reply->find(R"("error":{"code":-114,)"), std::string::npos);
}

TEST(RpcFrameTest, NotificationFrameHasNoId) {
    std::string frame = RenderNotificationFrame(
        {"shellypro3em-aabbccddeeff", "NotifyStatus", R"({"ts":1.00})"}, "aios-1");
    EXPECT_EQ(frame, R"({"src":"shellypro3em-aabbccddeeff","dst":"aios-1",)"
                     R"("method":"NotifyStatus","params":{"ts":1.00}})");
}

} // namespace
} // namespace meteremu
