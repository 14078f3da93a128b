// SPDX-License-Identifier: MIT
// The CT002 frame against the real frames of tests/fixtures/ct002/frames.txt: each parses,
// each reply is rebuilt byte for byte from its fields, and every kind of damage is dropped.
#include "frontends/ct002/ct002_frame.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <vector>

namespace meteremu::ct002 {
namespace {

struct FixtureFrame {
    std::string kind;  ///< "request" or "reply"
    std::string text;  ///< between STX and ETX
    std::string check; ///< the two checksum characters
    std::string Datagram() const { return "\x01\x02" + text + "\x03" + check; }
};

std::vector<FixtureFrame> Frames() {
    std::ifstream file(METEREMU_FIXTURES_DIR "/ct002/frames.txt");
    std::vector<FixtureFrame> frames;
    for (std::string line; std::getline(file, line);) {
        if (line.empty() || line.front() == '#') continue;
        std::istringstream fields(line);
        FixtureFrame frame;
        std::getline(fields, frame.kind, '\t');
        std::getline(fields, frame.text, '\t');
        std::getline(fields, frame.check, '\t');
        frames.push_back(frame);
    }
    return frames;
}

std::string Body(const Fields& fields) {
    std::string body;
    for (std::size_t i = 0; i < fields.count; ++i)
        body += "|" + std::string(fields.values[i]);
    return body;
}

TEST(Ct002FrameTest, EveryRealFrameParsesAndIsRebuiltByteForByte) {
    auto frames = Frames();
    ASSERT_EQ(frames.size(), 8u);
    for (const auto& frame : frames) {
        const std::string datagram = frame.Datagram(); // the fields point into it
        auto fields = ParseFrame(datagram);
        ASSERT_TRUE(fields) << frame.text;
        std::string rebuilt;
        BuildFrame(rebuilt, Body(*fields));
        EXPECT_EQ(rebuilt, datagram);
        if (frame.kind == "request") {
            EXPECT_TRUE(ParseRequest(frame.Datagram())) << frame.text;
        }
    }
}

TEST(Ct002FrameTest, RequestFieldsOfAB2500) {
    auto request = ParseRequest("\x01\x02"
                                "51|HMJ-2|405548fea7d6|HME-4|02b250befa3c|B|238\x03"
                                "7e");
    ASSERT_TRUE(request);
    EXPECT_EQ(request->battery_type, "HMJ-2");
    EXPECT_EQ(request->battery_mac, "405548fea7d6");
    EXPECT_EQ(request->ct_type, "HME-4");
    EXPECT_EQ(request->ct_mac, "02b250befa3c");
    EXPECT_EQ(request->phase, Phase::B);
    EXPECT_EQ(request->power, 238);
    EXPECT_TRUE(request->participates);
}

TEST(Ct002FrameTest, AVenusStillDetectingWithAnEmptyCtType) {
    auto request = ParseRequest("\x01\x02"
                                "48|VNSD-0|682499eef934||02b2509ca1ca|0|1832\x03"
                                "29");
    ASSERT_TRUE(request);
    EXPECT_EQ(request->ct_type, "");
    EXPECT_EQ(request->phase, Phase::Detecting);
    EXPECT_EQ(request->power, 1832);
}

TEST(Ct002FrameTest, RepliesRebuiltFromTheirValues) {
    Reply first{"HME-4", "02b25080456a", "HMJ-2", "18cedff5d064"};
    first.grid = {40, 0, 0};
    first.grid_total = 40;
    first.counts = {1, 0, 0, 0};
    first.index = 3;
    first.discharging = {0, 40, 0, 0, 0};
    std::string out;
    BuildReply(out, first);
    EXPECT_EQ(out, "\x01\x02"
                   "90|HME-4|02b25080456a|HMJ-2|18cedff5d064|40|0|0|40|1|0|0|0|-50|3|"
                   "0|0|0|0|0|0|40|0|0|0\x03"
                   "2f");

    Reply second{"HME-4", "02b250befa3c", "HMJ-2", "405548fea7d6"};
    second.grid = {0, 100, 0};
    second.grid_total = 100;
    second.counts = {0, 1, 0, 0};
    second.index = 58;
    second.discharging = {0, 0, 338, 0, 0};
    BuildReply(out, second);
    EXPECT_EQ(out, "\x01\x02"
                   "94|HME-4|02b250befa3c|HMJ-2|405548fea7d6|0|100|0|100|0|1|0|0|-50|"
                   "58|0|0|0|0|0|0|0|338|0|0\x03"
                   "20");
}

TEST(Ct002FrameTest, ChecksumInEitherCaseOrWithASpaceForItsLeadingZero) {
    const std::string text = "\x01\x02"
                             "49|HMG-1|2419720d3e32|HME-4|000000000000|0|0\x03";
    EXPECT_TRUE(ParseRequest(text + "02"));
    EXPECT_TRUE(ParseRequest(text + " 2"));
    const std::string upper = "\x01\x02"
                              "51|HMJ-2|405548fea7d6|HME-4|02b250befa3c|B|238\x03";
    EXPECT_TRUE(ParseRequest(upper + "7E"));
    EXPECT_FALSE(ParseRequest(text + "03"));
    EXPECT_FALSE(ParseRequest(text + "2 "));
}

TEST(Ct002FrameTest, LengthCountsItsOwnDigits) {
    std::string out;
    BuildFrame(out, std::string(93, 'x')); // 98 + 2 digits = 100: three digits, 101
    EXPECT_TRUE(out.starts_with("\x01\x02"
                                "101x"));
    EXPECT_EQ(out.size(), 101u);
    BuildFrame(out, std::string(92, 'x')); // 97 + 2 = 99
    EXPECT_TRUE(out.starts_with("\x01\x02"
                                "99x"));
    EXPECT_EQ(out.size(), 99u);
    // Longer than any datagram: the header outgrows the room kept for it.
    BuildFrame(out, std::string(999'990, 'x')); // 999995 + 6 = 1000001 has seven digits: 1000002
    EXPECT_TRUE(out.starts_with("\x01\x02"
                                "1000002x"));
    EXPECT_EQ(out.size(), 1'000'002u);
    EXPECT_TRUE(ParseFrame(out) == std::nullopt); // too long for a frame, yet well formed
}

TEST(Ct002FrameTest, DamagedFramesAreDropped) {
    const std::string good = "\x01\x02"
                             "49|HMJ-2|18cedff5d064|HME-4|02b25080456a|A|1\x03"
                             "75";
    ASSERT_TRUE(ParseRequest(good));
    for (std::size_t i = 0; i < good.size(); ++i) {
        std::string bad = good;
        bad[i] ^= 0x10; // every single-byte change breaks the length, the framing or the sum
        EXPECT_FALSE(ParseFrame(bad)) << i;
    }
    EXPECT_FALSE(ParseRequest(good.substr(0, good.size() - 1)));
    EXPECT_FALSE(ParseRequest(good + "x"));
    EXPECT_FALSE(ParseRequest("hame"));
    EXPECT_FALSE(ParseRequest(""));
}

std::string Frame(const std::string& body) {
    std::string out;
    BuildFrame(out, body);
    return out;
}

TEST(Ct002FrameTest, RequestsWithBadFieldsAreDropped) {
    EXPECT_TRUE(ParseRequest(Frame("|HMG-50|aabbccddeeff|HME-4|000000000000|A|-120")));
    EXPECT_FALSE(ParseRequest(Frame("|HMG-50|aabbccddeef|HME-4|000000000000|A|1")));    // MAC
    EXPECT_FALSE(ParseRequest(Frame("|HMG-50|aabbccddeeff|HME-4|00000000000g|A|1")));   // CT MAC
    EXPECT_FALSE(ParseRequest(Frame("|HMG-50|aabbccddeeff|HME-4|000000000000|E|1")));   // phase
    EXPECT_FALSE(ParseRequest(Frame("|HMG-50|aabbccddeeff|HME-4|000000000000|A|1.5"))); // power
    EXPECT_FALSE(ParseRequest(Frame("|HMG-50|aabbccddeeff|HME-4|000000000000|A|")));
    EXPECT_FALSE(ParseRequest(Frame("|HMG-50|aabbccddeeff|HME-4|000000000000|A"))); // 5 fields
    EXPECT_FALSE(ParseRequest(Frame("|HMG-50|aabbccddeeff|HME-4|000000000000|A|1|1|1"))); // 8
    EXPECT_FALSE(ParseRequest(Frame("|HMG-50|aabbccddeeff|HME-4|000000000000|A|99999999999")));
    // Types longer than 16 characters: their reply could outgrow what a battery reads.
    EXPECT_TRUE(
        ParseRequest(Frame("|" + std::string(16, 'X') + "|aabbccddeeff||000000000000|A|1")));
    EXPECT_FALSE(
        ParseRequest(Frame("|" + std::string(17, 'X') + "|aabbccddeeff||000000000000|A|1")));
}

TEST(Ct002FrameTest, TheSeventhFieldZeroAsksNotToBeCounted) {
    auto out = ParseRequest(Frame("|HMJ-2|aabbccddeeff|HME-4|000000000000|B|80|0"));
    ASSERT_TRUE(out);
    EXPECT_FALSE(out->participates);
    auto in = ParseRequest(Frame("|HMJ-2|aabbccddeeff|HME-4|000000000000|B|80|1"));
    ASSERT_TRUE(in);
    EXPECT_TRUE(in->participates);
}

TEST(Ct002FrameTest, BuiltRequestsParseBack) {
    Request request{"HMG-50", "aabbccddeeff", "HME-3", "02b250a1b2c3", Phase::Sum, -800, false};
    const std::string frame = BuildRequest(request); // the parsed views point into it
    auto parsed = ParseRequest(frame);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->battery_mac, "aabbccddeeff");
    EXPECT_EQ(parsed->ct_type, "HME-3");
    EXPECT_EQ(parsed->phase, Phase::Sum);
    EXPECT_EQ(parsed->power, -800);
    EXPECT_FALSE(parsed->participates);
}

} // namespace
} // namespace meteremu::ct002
