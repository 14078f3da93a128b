// SPDX-License-Identifier: MIT
// Fuzz target: one datagram to an emulated CT002, as any host on the LAN can send it. The
// frame parser may refuse it, never crash; a frame it accepts is rebuilt into the same
// fields, and a request it accepts is built again into a request that parses to the same
// values, noted in a battery table and answered with a reply that parses back.
#include "frontends/ct002/battery_table.hpp"
#include "frontends/ct002/ct002_frame.hpp"
#include "fuzz/fuzz_support.hpp"

#include <chrono>
#include <string>

namespace {

using namespace meteremu;
using namespace meteremu::ct002;

void CheckFrameRoundTrip(const Fields& fields) {
    std::string body;
    for (std::size_t i = 0; i < fields.count; ++i)
        (body += '|') += fields.values[i];
    std::string frame;
    BuildFrame(frame, body);
    auto again = ParseFrame(frame);
    fuzz::Require(again && again->count == fields.count, "a rebuilt frame parses");
    for (std::size_t i = 0; i < fields.count; ++i)
        fuzz::Require(again->values[i] == fields.values[i], "a rebuilt frame keeps its fields");
}

void CheckRequest(const Request& request) {
    const std::string frame = BuildRequest(request); // the parsed views point into it
    auto again = ParseRequest(frame);
    fuzz::Require(again && again->battery_mac == request.battery_mac &&
                      again->phase == request.phase && again->power == request.power &&
                      again->participates == request.participates,
                  "a rebuilt request parses to the same values");
    static BatteryTable table;
    static SteadyTime now{};
    now += std::chrono::milliseconds(100);
    table.Record(request, now);
    BucketTotals totals = table.Totals(now);
    fuzz::Require(totals.counts[BucketOf(request.phase)] >= (request.participates ? 1 : 0),
                  "the asking battery is counted");
    Reply reply{"HME-4", "02b250a1b2c3", request.battery_type, request.battery_mac};
    reply.charging = totals.charging;
    reply.discharging = totals.discharging;
    std::string out;
    BuildReply(out, reply);
    auto fields = ParseFrame(out);
    fuzz::Require(fields && fields->count == 24, "a reply has 24 fields and fits a frame");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view datagram(reinterpret_cast<const char*>(data), size);
    if (auto fields = ParseFrame(datagram)) CheckFrameRoundTrip(*fields);
    if (auto request = ParseRequest(datagram)) CheckRequest(*request);
    return 0;
}
