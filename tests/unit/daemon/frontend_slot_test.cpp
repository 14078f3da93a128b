// SPDX-License-Identifier: MIT
// Replacing the frontend while a real HTTP server answers from it on its own thread.
#include "daemon/frontend_slot.hpp"
#include "frontends/jsonrpc/rpc_websocket.hpp"
#include "frontends/shelly/shelly_frontend.hpp"
#include "support/http_client.hpp"
#include "support/readings.hpp"
#include "support/websocket_client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace meteremu {
namespace {

using namespace std::chrono_literals;

class FrontendSlotTest : public testing::Test {
protected:
    std::unique_ptr<Frontend> Shelly(std::uint8_t last_byte) {
        ShellyOptions options;
        options.mac = MacAddress{0x02, 0x00, 0x5e, 0x00, 0x00, last_byte};
        return shelly_frontend_plugin.create(options, {state_, std::chrono::steady_clock::now()});
    }

    MeterState state_{SiteLayout{}, FreshnessPolicy{}};
};

TEST_F(FrontendSlotTest, AnswersFromTheCurrentFrontend) {
    FrontendSlot slot(Shelly(0x01));
    EXPECT_EQ(slot.CurrentRpcHandler()->SourceId(), "shellypro3em-02005e000001");
    EXPECT_EQ(slot.ProbePath(), "/shelly");
    auto reply = slot.Handle({"GET", "/shelly", {}, {}});
    EXPECT_EQ(reply.status, 200u);
    EXPECT_NE(reply.body.find("shellypro3em-02005e000001"), std::string::npos);
    slot.Replace(Shelly(0x02));
    EXPECT_NE(slot.Handle({"GET", "/shelly", {}, {}}).body.find("shellypro3em-02005e000002"),
              std::string::npos);
    RpcAnswer call = slot.CurrentRpcHandler()->Call({"Shelly.GetDeviceInfo", nullptr});
    ASSERT_TRUE(std::holds_alternative<std::string>(call.outcome));
    EXPECT_NE(std::get<std::string>(call.outcome).find("02005E000002"), std::string::npos);
    EXPECT_EQ(call.src, "shellypro3em-02005e000002");
    EXPECT_TRUE(call.reusable);
    EXPECT_TRUE(call.epoch.Valid());
}

TEST_F(FrontendSlotTest, AHeldFrontendKeepsItsSourceIdAndGoesWithItsLastRequest) {
    FrontendSlot slot(Shelly(0x01));
    std::shared_ptr<RpcHandler> held = slot.CurrentRpcHandler(); // a request under way
    for (std::uint8_t i = 2; i < 50; ++i)
        slot.Replace(Shelly(i));
    RpcAnswer answer = held->Call({"Shelly.GetDeviceInfo", nullptr});
    EXPECT_EQ(answer.src, "shellypro3em-02005e000001"); // its own, not the new device's
    EXPECT_NE(std::get<std::string>(answer.outcome).find("\"mac\":\"02005E000001\""),
              std::string::npos);
    EXPECT_EQ(slot.CurrentRpcHandler()->SourceId(), "shellypro3em-02005e000031");
    // Nothing else keeps the replaced frontends: the last request lets go of the last one.
    std::weak_ptr<RpcHandler> old = held;
    held.reset();
    EXPECT_TRUE(old.expired());
}

TEST_F(FrontendSlotTest, RequestsDuringReplacementsSeeOneWholeFrontend) {
    FrontendSlot slot(Shelly(0x01));
    HttpServer server(BindSocket(SocketKind::Stream, "127.0.0.1", 0), slot);
    std::string url = "http://127.0.0.1:" + std::to_string(server.Port()) + "/shelly";
    std::atomic<bool> done{false};
    std::thread reloads([&] {
        for (std::uint8_t i = 0; !done && i < 250; ++i) {
            slot.Replace(Shelly(i % 2 ? 0x01 : 0x02));
            std::this_thread::sleep_for(1ms);
        }
    });
    int whole = 0;
    for (int i = 0; i < 200; ++i) {
        auto reply = test::HttpGet(url);
        ASSERT_EQ(reply.status, 200) << reply.error;
        // Id and MAC come from the same frontend, never one of each.
        bool one =
            reply.body.find("\"id\":\"shellypro3em-02005e000001\",\"mac\":\"02005E000001\"") !=
            std::string::npos;
        bool two =
            reply.body.find("\"id\":\"shellypro3em-02005e000002\",\"mac\":\"02005E000002\"") !=
            std::string::npos;
        whole += one || two;
    }
    done = true;
    reloads.join();
    EXPECT_EQ(whole, 200);
}

TEST_F(FrontendSlotTest, WebSocketFollowsTheCurrentFrontend) {
    FrontendSlot slot(Shelly(0x01));
    RpcWebSocket app(slot);
    WebSocketServer websocket(app);
    slot.ServeWebSocket(websocket);
    HttpServer server(BindSocket(SocketKind::Stream, "127.0.0.1", 0), slot);
    test::WebSocketClient client(server.Port());
    client.SendText(R"({"id":1,"src":"ha","method":"Shelly.GetDeviceInfo"})");
    auto info = client.ReadText(2s);
    ASSERT_TRUE(info);
    EXPECT_TRUE(info->starts_with(R"({"id":1,"src":"shellypro3em-02005e000001","dst":"ha",)"));
    slot.Replace(Shelly(0x02)); // a reload: the connection stays, the device is the new one
    test::PublishAged(state_, {230, 1, 42, 300, 0.5, 50, 1000, 2000});
    websocket.Push();
    auto push = client.ReadText(2s);
    ASSERT_TRUE(push);
    EXPECT_TRUE(push->starts_with(R"({"src":"shellypro3em-02005e000002","dst":"ha",)"
                                  R"("method":"NotifyStatus",)"))
        << *push;
    test::WebSocketClient after(server.Port()); // upgrades still reach the WebSocket server
    after.SendText(R"({"id":2,"method":"RPC.Ping"})");
    EXPECT_EQ(after.ReadText(2s), R"({"id":2,"src":"shellypro3em-02005e000002","result":null})");
    websocket.Stop();
}

} // namespace
} // namespace meteremu
