// SPDX-License-Identifier: MIT
#include "daemon/status_line.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

using namespace std::chrono_literals;

const SteadyTime kNow{std::chrono::hours(100)};

std::shared_ptr<const Reading> ReadingOf(double watts, Seconds age) {
    auto reading = std::make_shared<Reading>();
    (*reading)[Phase::A].act_power = watts;
    reading->received_at = kNow - std::chrono::duration_cast<SteadyTime::duration>(age);
    return reading;
}

TEST(StatusLineTest, FreshReading) {
    StatusInputs inputs{ReadingOf(1234.54, 0.8s), 10s, {}, "envoy ok", 2};
    EXPECT_EQ(FormatStatus(inputs, kNow),
              "grid +1234.5 W · envoy ok, reading 0.8 s old · 2 clients");
    inputs.latest = ReadingOf(-310, 0.04s);
    inputs.clients = 1;
    EXPECT_EQ(FormatStatus(inputs, kNow), "grid -310.0 W · envoy ok, reading 0.0 s old · 1 client");
    inputs.latest = ReadingOf(-0.01, 1s); // no "-0.0 W"
    EXPECT_EQ(FormatStatus(inputs, kNow), "grid +0.0 W · envoy ok, reading 1.0 s old · 1 client");
}

TEST(StatusLineTest, StaleReadingSaysWhatIsServed) {
    StatusInputs inputs{
        ReadingOf(500, 42s), 10s, {OnStale::Zero}, "envoy unreachable since 23:01", 0};
    EXPECT_EQ(FormatStatus(inputs, kNow),
              "grid stale, serving zero · envoy unreachable since 23:01, last reading 42 s old · "
              "0 clients");
    inputs.on_stale = {OnStale::Silent, OnStale::Zero}; // two frontends that differ
    EXPECT_EQ(FormatStatus(inputs, kNow),
              "grid stale, serving silent/zero · envoy unreachable since 23:01, last reading "
              "42 s old · 0 clients");
}

TEST(StatusLineTest, NoReadingYet) {
    StatusInputs inputs{nullptr, 10s, {}, "envoy connecting", 0};
    EXPECT_EQ(FormatStatus(inputs, kNow), "no reading yet · envoy connecting · 0 clients");
}

TEST(StatusLineTest, AgesAsPreciseAsUseful) {
    EXPECT_EQ(FormatAge(0.84s), "0.8 s");
    EXPECT_EQ(FormatAge(9.94s), "9.9 s");
    EXPECT_EQ(FormatAge(9.96s), "10 s");
    EXPECT_EQ(FormatAge(119s), "119 s");
    EXPECT_EQ(FormatAge(Seconds(5 * 60 + 59)), "5 min");
    EXPECT_EQ(FormatAge(-0.2s), "0.0 s");
}

} // namespace
} // namespace meteremu
