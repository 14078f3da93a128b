// SPDX-License-Identifier: MIT
// The UDP server's sample gate on a real socket, with the Shelly frontend behind it: a poll
// without a new reading is held by the socket's thread and answered, once and to the newest
// poll, when SampleArrived() tells of a new one.
#include "frontends/jsonrpc/rpc_udp.hpp"
#include "support/readings.hpp"
#include "support/shelly.hpp"
#include "support/udp_client.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

using namespace std::chrono_literals;

std::string Poll(int id) {
    return R"({"id":)" + std::to_string(id) + R"(,"method":"EM.GetStatus","params":{"id":0}})";
}

class UdpSampleGateTest : public testing::Test {
protected:
    void SetUp() override {
        auto shelly = test::MakeShelly(OnStale::Silent, {0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f});
        state_ = std::move(shelly.state);
        frontend_ = std::move(shelly.frontend);
        handler_ = std::make_unique<RpcUdpHandler>(*frontend_);
        std::vector<UniqueFd> sockets;
        sockets.push_back(BindSocket(SocketKind::Datagram, "127.0.0.1", 0));
        server_ = std::make_unique<UdpServer>(std::move(sockets), *handler_, UdpLimits{}, nullptr,
                                              nullptr, &gate_);
    }

    void Publish(double watts) {
        test::PublishAged(*state_, {231.5, 2.5, watts, 580, 0.8, 50.02, 4242.42, 99.5}, 0s);
        server_->SampleArrived(); // as the bundle's subscription does
    }

    void Send(const std::string& request) {
        ASSERT_TRUE(client_.Send("127.0.0.1", server_->Ports()[0], request));
    }

    SampleGate gate_{{RepeatPolicy::Hold, 5s}};
    test::UdpClient client_{"127.0.0.1"};
    std::unique_ptr<MeterState> state_;
    std::unique_ptr<JsonRpcFrontend> frontend_;
    std::unique_ptr<RpcUdpHandler> handler_;
    std::unique_ptr<UdpServer> server_;
};

TEST_F(UdpSampleGateTest, AHeldPollIsAnsweredOnceToTheNewestPollWhenASampleArrives) {
    Publish(100);
    Send(Poll(1));
    auto first = client_.Receive(1s);
    ASSERT_TRUE(first);
    EXPECT_NE(first->text.find(R"("a_act_power":100.0,)"), std::string::npos) << first->text;
    Send(Poll(2));
    Send(Poll(3)); // polls again while held: replaces poll 2
    EXPECT_FALSE(client_.Receive(300ms)) << "answered without a new reading";
    Publish(200);
    auto held = client_.Receive(1s);
    ASSERT_TRUE(held);
    EXPECT_TRUE(held->text.starts_with(R"({"id":3,)")) << held->text;
    EXPECT_NE(held->text.find(R"("a_act_power":200.0,)"), std::string::npos) << held->text;
    EXPECT_FALSE(client_.Receive(300ms)) << "poll 2 was answered too";
    UdpCounters counters = server_->Counters();
    EXPECT_EQ(counters.replied, 2u);
    EXPECT_EQ(counters.held, 2u);
    EXPECT_EQ(gate_.Counters().served_new, 2u);
}

TEST_F(UdpSampleGateTest, WhatCarriesNoReadingIsNeverHeld) {
    Publish(100);
    for (int i = 0; i < 3; ++i) {
        Send(R"({"id":7,"method":"Shelly.GetDeviceInfo"})");
        EXPECT_TRUE(client_.Receive(1s)) << "identity request " << i << " was held";
    }
    EXPECT_EQ(server_->Counters().held, 0u);
}

TEST_F(UdpSampleGateTest, APolicyChangeAppliesToTheNextPoll) {
    Publish(100);
    Send(Poll(1));
    ASSERT_TRUE(client_.Receive(1s));
    gate_.SetPolicy({RepeatPolicy::Repeat, 5s});
    Send(Poll(2));
    auto again = client_.Receive(1s);
    ASSERT_TRUE(again) << "repeat answers the same reading again";
    EXPECT_NE(again->text.find(R"("a_act_power":100.0,)"), std::string::npos);
    gate_.SetPolicy({RepeatPolicy::Drop, 5s});
    Send(Poll(3));
    EXPECT_FALSE(client_.Receive(300ms));
    EXPECT_EQ(server_->Counters().unanswered, 1u);
}

} // namespace
} // namespace meteremu
