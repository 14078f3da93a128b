// SPDX-License-Identifier: MIT
// The journal lines about clients, as a person reads them.
#include "daemon/client_log.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

using namespace std::chrono_literals;

const SteadyTime kNow{std::chrono::hours(10)};

ClientEvent Event(ClientEvent::Kind kind, ClientVia via) {
    return {kind,       *IpAddress::Parse("192.168.1.50"),
            via,        Seconds(1.25),
            kNow - 31s, {MethodIdOf("EM.GetStatus"), RequestOutcome::Answered}};
}

TEST(ClientLogTest, EachLineNamesTheClientTheTransportAndThePort) {
    EXPECT_EQ(ClientLog::Describe(
                  Event(ClientEvent::Kind::FirstPoll, {ClientTransport::Udp, 12345}), kNow),
              "client 192.168.1.50 polls for the first time, over UDP port 12345: EM.GetStatus, "
              "answered");
    EXPECT_EQ(
        ClientLog::Describe(Event(ClientEvent::Kind::WentQuiet, {ClientTransport::Http, 80}), kNow),
        "client 192.168.1.50 went quiet: it polled every 1.2 s over HTTP port 80, last "
        "31 s ago");
    EXPECT_EQ(
        ClientLog::Describe(Event(ClientEvent::Kind::Back, {ClientTransport::WebSocket, 0}), kNow),
        "client 192.168.1.50 polls again, over WebSocket: EM.GetStatus, answered");
    auto v6 = Event(ClientEvent::Kind::FirstPoll, {ClientTransport::Http, 8080});
    v6.address = *IpAddress::Parse("fd00::10");
    EXPECT_EQ(ClientLog::Describe(v6, kNow),
              "client fd00::10 polls for the first time, over HTTP port 8080: EM.GetStatus, "
              "answered");
}

// What a person needs when a battery gets nothing: the reason, in words.
TEST(ClientLogTest, AFirstRequestThatGotNothingSaysWhy) {
    auto refused = Event(ClientEvent::Kind::FirstPoll, {ClientTransport::Udp, 1010});
    refused.label = {kUnreadMethod, RequestOutcome::Refused};
    EXPECT_EQ(ClientLog::Describe(refused, kNow),
              "client 192.168.1.50 polls for the first time, over UDP port 1010: refused by allow");
    auto stale = Event(ClientEvent::Kind::FirstPoll, {ClientTransport::Http, 80});
    stale.label.outcome = RequestOutcome::Withheld;
    EXPECT_EQ(ClientLog::Describe(stale, kNow),
              "client 192.168.1.50 polls for the first time, over HTTP port 80: EM.GetStatus, "
              "withheld (the reading is stale)");
}

} // namespace
} // namespace meteremu
