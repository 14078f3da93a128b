// SPDX-License-Identifier: MIT
// RFC 6455 framing rules, byte for byte: what the reader accepts from a client, what it
// refuses and with which close code, and the frames a server writes.
#include "net/websocket_protocol.hpp"
#include "support/websocket_client.hpp"

#include <gtest/gtest.h>

namespace meteremu::websocket {
namespace {

using test::ClientFrame;
using Kind = Event::Kind;

std::vector<Event> ReadAll(MessageReader& reader) {
    std::vector<Event> events;
    while (auto event = reader.Next())
        events.push_back(*event);
    return events;
}

/// The single failure `bytes` cause, or a test failure.
Event FailureOf(const std::string& bytes, size_t limit = 1024) {
    MessageReader reader(limit);
    reader.Feed(bytes);
    auto events = ReadAll(reader);
    EXPECT_FALSE(events.empty());
    if (events.empty()) return {};
    EXPECT_EQ(events.back().kind, Kind::Fail);
    return events.back();
}

TEST(WebSocketProtocolTest, AcceptKeyOfTheRfcExample) {
    EXPECT_EQ(AcceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    EXPECT_EQ(AcceptKey("c2hvcnQ="), std::nullopt); // 5 bytes, not 16
    EXPECT_EQ(AcceptKey("not base64 at all"), std::nullopt);
}

TEST(WebSocketProtocolTest, ServerFramesAreUnmaskedWithMinimalLengths) {
    EXPECT_EQ(EncodeFrame(Opcode::Text, "Hello"), std::string("\x81\x05Hello", 7));
    std::string medium = EncodeFrame(Opcode::Text, std::string(300, 'x'));
    EXPECT_EQ(medium.substr(0, 4), std::string("\x81\x7e\x01\x2c", 4));
    std::string large = EncodeFrame(Opcode::Text, std::string(70000, 'x'));
    EXPECT_EQ(large.substr(0, 10), std::string("\x81\x7f\0\0\0\0\0\x01\x11\x70", 10));
    EXPECT_EQ(EncodeClose(close_code::kGoingAway, "bye"), std::string("\x88\x05\x03\xe9"
                                                                      "bye",
                                                                      7));
    EXPECT_EQ(EncodeClose(close_code::kNoStatus), std::string("\x88\x00", 2));
}

TEST(WebSocketProtocolTest, ReadsMaskedTextArrivingByteByByte) {
    std::string bytes = ClientFrame(Opcode::Text, R"({"id":1,"method":"Shelly.GetStatus"})");
    MessageReader reader(1024);
    for (size_t i = 0; i + 1 < bytes.size(); ++i) {
        reader.Feed(bytes.substr(i, 1));
        EXPECT_FALSE(reader.Next()) << "after byte " << i;
    }
    reader.Feed(bytes.substr(bytes.size() - 1));
    auto event = reader.Next();
    ASSERT_TRUE(event);
    EXPECT_EQ(event->kind, Kind::Text);
    EXPECT_EQ(event->payload, R"({"id":1,"method":"Shelly.GetStatus"})");
    EXPECT_EQ(reader.Buffered(), 0u);
}

TEST(WebSocketProtocolTest, JoinsFragmentsWithControlFramesInBetween) {
    MessageReader reader(1024);
    reader.Feed(ClientFrame(Opcode::Text, "{\"id\":", false) + ClientFrame(Opcode::Ping, "p1") +
                ClientFrame(Opcode::Continuation, "7,\"method\"", false) +
                ClientFrame(Opcode::Pong, "") + ClientFrame(Opcode::Continuation, ":\"X\"}", true) +
                ClientFrame(Opcode::Close, std::string("\x03\xe8"
                                                       "done",
                                                       6)));
    auto events = ReadAll(reader);
    ASSERT_EQ(events.size(), 4u);
    EXPECT_EQ(events[0].kind, Kind::Ping);
    EXPECT_EQ(events[0].payload, "p1");
    EXPECT_EQ(events[1].kind, Kind::Pong);
    EXPECT_EQ(events[2].kind, Kind::Text);
    EXPECT_EQ(events[2].payload, R"({"id":7,"method":"X"})");
    EXPECT_EQ(events[3].kind, Kind::Close);
    EXPECT_EQ(events[3].code, close_code::kNormal);
    EXPECT_EQ(events[3].payload, "done");
}

TEST(WebSocketProtocolTest, LengthEncodingsOf16And64Bits) {
    MessageReader reader(100000);
    std::string medium(1000, 'm'), large(70000, 'l');
    reader.Feed(ClientFrame(Opcode::Text, medium) + ClientFrame(Opcode::Text, large));
    auto events = ReadAll(reader);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].payload, medium);
    EXPECT_EQ(events[1].payload, large);
}

TEST(WebSocketProtocolTest, ProtocolErrorsClose1002) {
    const std::pair<std::string, const char*> cases[] = {
        {ClientFrame(Opcode::Text, "x", true, false), "client frames must be masked"},
        {ClientFrame(Opcode::Text, "x", true, true, 0x40), "reserved bits set"},
        {ClientFrame(static_cast<Opcode>(0x3), "x"), "unknown opcode"},
        {ClientFrame(Opcode::Ping, "x", false), "fragmented control frame"},
        {ClientFrame(Opcode::Ping, std::string(126, 'x')), "control frame over 125 bytes"},
        {ClientFrame(Opcode::Continuation, "x"), "continuation frame without a message"},
        {ClientFrame(Opcode::Text, "a", false) + ClientFrame(Opcode::Text, "b"),
         "new message inside a fragmented one"},
        {ClientFrame(Opcode::Close, "x"), "close frame of one byte"},
        {ClientFrame(Opcode::Close, std::string("\x03\xed", 2)), "invalid close code"},
    };
    for (const auto& [bytes, reason] : cases) {
        Event failure = FailureOf(bytes);
        EXPECT_EQ(failure.code, close_code::kProtocolError) << reason;
        EXPECT_EQ(failure.payload, reason);
    }
}

TEST(WebSocketProtocolTest, OtherFailures) {
    EXPECT_EQ(FailureOf(ClientFrame(Opcode::Binary, "\x01")).code, close_code::kUnsupportedData);
    EXPECT_EQ(FailureOf(ClientFrame(Opcode::Text, "\xc3\x28")).code, close_code::kInvalidPayload);
    // Too big is known from the header: the payload need not arrive.
    std::string big = ClientFrame(Opcode::Text, std::string(2000, 'x'));
    EXPECT_EQ(FailureOf(big.substr(0, 8), 1024).code, close_code::kTooBig);
    // ...and across fragments.
    EXPECT_EQ(FailureOf(ClientFrame(Opcode::Text, std::string(600, 'x'), false) +
                            ClientFrame(Opcode::Continuation, std::string(600, 'x')),
                        1024)
                  .code,
              close_code::kTooBig);
    // After a failure, nothing more is read.
    MessageReader reader(1024);
    reader.Feed(ClientFrame(Opcode::Text, "x", true, false) + ClientFrame(Opcode::Text, "ok"));
    EXPECT_EQ(reader.Next()->kind, Kind::Fail);
    EXPECT_FALSE(reader.Next());
}

/// Feeds `stream` in `chunk`-byte reads as the server does: as much as the reader takes, then
/// its events, until everything is taken; checks the bound on what it holds after each feed.
std::vector<Event> FeedInChunks(MessageReader& reader, const std::string& stream, size_t chunk,
                                size_t max_message) {
    std::vector<Event> events;
    for (size_t at = 0; at < stream.size();) {
        std::string_view bytes = std::string_view(stream).substr(at, chunk);
        while (!bytes.empty()) {
            size_t taken = reader.Feed(bytes);
            bytes.remove_prefix(taken);
            at += taken;
            EXPECT_LE(reader.Unread(), max_message + kMaxFrameHeader);
            EXPECT_LE(reader.Buffered(), 2 * max_message + kMaxFrameHeader);
            size_t before = events.size();
            while (auto event = reader.Next())
                events.push_back(*event);
            if (taken == 0 && events.size() == before) {
                ADD_FAILURE() << "the reader is full and makes no progress at byte " << at;
                return events;
            }
        }
    }
    return events;
}

TEST(WebSocketProtocolTest, ReaderHoldsAtMostOneFrameOfTheLargestSize) {
    constexpr size_t kLimit = 1024;
    MessageReader reader(kLimit);
    EXPECT_EQ(reader.Capacity(), kLimit + kMaxFrameHeader);
    // Largest messages, fragmented ones nearly full with pings in between, small ones: fed
    // in reads far larger than the limit, the reader takes only what fits a frame.
    std::string stream, largest(kLimit, 'x');
    for (int i = 0; i < 50; ++i) {
        stream += ClientFrame(Opcode::Text, largest);
        stream += ClientFrame(Opcode::Text, std::string(kLimit - 10, 'y'), false);
        stream += ClientFrame(Opcode::Ping, std::string(125, 'p'));
        stream += ClientFrame(Opcode::Continuation, std::string(10, 'z'), true);
        stream += ClientFrame(Opcode::Text, "small");
    }
    for (size_t chunk : {size_t{1}, size_t{7}, size_t{1500}, size_t{16384}, stream.size()}) {
        MessageReader fresh(kLimit);
        auto events = FeedInChunks(fresh, stream, chunk, kLimit);
        ASSERT_EQ(events.size(), 200u) << "chunk " << chunk;
        EXPECT_EQ(events[0].payload, largest);
        EXPECT_EQ(events[1].kind, Kind::Ping);
        EXPECT_EQ(events[2].payload, std::string(kLimit - 10, 'y') + std::string(10, 'z'));
        EXPECT_EQ(events[3].payload, "small");
        EXPECT_EQ(fresh.Buffered(), 0u);
    }
    // A limit below a control frame's size still leaves room for a whole control frame.
    MessageReader tiny(16);
    EXPECT_EQ(tiny.Capacity(), 125 + kMaxFrameHeader);
}

TEST(WebSocketProtocolTest, NothingIsHeldAfterAFailure) {
    MessageReader reader(1024);
    std::string unmasked = ClientFrame(Opcode::Text, "x", true, false);
    EXPECT_EQ(reader.Feed(unmasked), unmasked.size());
    ASSERT_EQ(reader.Next()->kind, Kind::Fail);
    // A client that keeps sending after breaking the protocol: everything is taken, nothing
    // kept, so the server can read and drop it.
    std::string garbage(64 * 1024, 'g');
    for (int i = 0; i < 100; ++i) {
        ASSERT_EQ(reader.Feed(garbage), garbage.size());
        ASSERT_EQ(reader.Buffered(), 0u);
    }
    EXPECT_FALSE(reader.Next());
}

TEST(WebSocketProtocolTest, Utf8Validation) {
    EXPECT_TRUE(IsValidUtf8("plain ascii"));
    EXPECT_TRUE(IsValidUtf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80")); // é € 😀
    for (const char* bad :
         {"\xc3", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xff", "\x80"})
        EXPECT_FALSE(IsValidUtf8(bad)) << testing::PrintToString(std::string(bad));
}

} // namespace
} // namespace meteremu::websocket
