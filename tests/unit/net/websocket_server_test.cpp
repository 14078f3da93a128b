// SPDX-License-Identifier: MIT
// The WebSocket on /rpc: a real libmicrohttpd server upgrading to the WebSocket server, the
// Shelly frontend behind it, and a raw client that writes and reads frames byte by byte.
#include "support/readings.hpp"
#include "support/shelly_servers.hpp"
#include "support/websocket_client.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace meteremu {
namespace {

using namespace std::chrono_literals;
using test::ClientFrame;
using test::WebSocketClient;
using websocket::Opcode;
namespace close_code = websocket::close_code;

class WebSocketServerTest : public testing::Test {
protected:
    void Start(OnStale mode, WebSocketLimits limits = {}, HttpLimits http_limits = {}) {
        Shutdown();
        servers_ = std::make_unique<test::ShellyServers>(mode, limits, http_limits);
        websocket_ = servers_->bundle->WebSocket(); // pushes on every reading published
    }

    void SetUp() override { Start(OnStale::Silent); }
    void TearDown() override { Shutdown(); }

    void Shutdown() { servers_.reset(); }

    void Publish(double watts, Seconds age = 0s) {
        test::PublishAged(*servers_->state, {231.5, 2.5, watts, 580, 0.8, 50.02, 4242.42, 99.5},
                          age);
    }

    std::uint16_t Port() const { return servers_->Port(); }

    std::unique_ptr<test::ShellyServers> servers_;
    WebSocketServer* websocket_ = nullptr; ///< the bundle's, which the tests drive
};

TEST_F(WebSocketServerTest, HandshakeAsARealDevice) {
    WebSocketClient client(Port());
    const std::string& response = client.Handshake();
    EXPECT_NE(response.find("\r\nUpgrade: websocket\r\n"), std::string::npos) << response;
    EXPECT_NE(response.find("\r\nConnection: Upgrade\r\n"), std::string::npos) << response;
    EXPECT_NE(response.find("\r\nServer: ShellyHTTP/1.0.0\r\n"), std::string::npos) << response;
    EXPECT_EQ(response.find("Content-Type"), std::string::npos) << response;
}

TEST_F(WebSocketServerTest, BadHandshakesAreRefused) {
    const std::string start = "GET /rpc HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n";
    std::string old_version = test::RawHttpExchange(
        Port(),
        start + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                "Sec-WebSocket-Version: 8\r\nConnection: close\r\n\r\n",
        2s);
    EXPECT_TRUE(old_version.starts_with("HTTP/1.1 426 ")) << old_version;
    EXPECT_NE(old_version.find("Sec-WebSocket-Version: 13\r\n"), std::string::npos);
    std::string no_key = test::RawHttpExchange(
        Port(), start + "Connection: Upgrade, close\r\nSec-WebSocket-Version: 13\r\n\r\n", 2s);
    EXPECT_TRUE(no_key.starts_with("HTTP/1.1 400 ")) << no_key;
    std::string plain = test::RawHttpExchange(
        Port(), "GET /rpc HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 2s);
    EXPECT_TRUE(plain.starts_with("HTTP/1.1 400 ")) << plain;
}

TEST_F(WebSocketServerTest, RequestsGetResponseFrames) {
    Publish(-321.5);
    WebSocketClient client(Port());
    client.SendText(R"({"id":1,"src":"aios-1","method":"Shelly.GetDeviceInfo"})");
    auto info = client.ReadText(2s);
    ASSERT_TRUE(info);
    EXPECT_TRUE(info->starts_with(R"({"id":1,"src":"shellypro3em-0a1b2c3d4e5f","dst":"aios-1",)"
                                  R"("result":{"name":null,)"))
        << *info;
    client.SendText(R"({"id":2,"src":"aios-1","method":"EM.GetStatus","params":{"id":0}})");
    auto em = client.ReadText(2s);
    ASSERT_TRUE(em);
    EXPECT_NE(em->find(R"("a_act_power":-321.5,)"), std::string::npos) << *em;
    client.SendText(R"({"id":3,"method":"Nope"})");
    EXPECT_EQ(client.ReadText(2s), R"({"id":3,"src":"shellypro3em-0a1b2c3d4e5f",)"
                                   R"("error":{"code":404,"message":"No handler for Nope"}})");
}

TEST_F(WebSocketServerTest, FragmentedRequestWithPingInBetween) {
    WebSocketClient client(Port());
    client.SendRaw(ClientFrame(Opcode::Text, R"({"id":7,"src":"frag",)", false));
    client.SendRaw(ClientFrame(Opcode::Ping, "are you there"));
    client.SendRaw(ClientFrame(Opcode::Continuation, R"("method":"Sys.)", false));
    client.SendRaw(ClientFrame(Opcode::Continuation, R"(GetConfig"})", true));
    auto pong = client.Read(2s);
    ASSERT_TRUE(pong);
    EXPECT_EQ(pong->opcode, Opcode::Pong);
    EXPECT_EQ(pong->payload, "are you there");
    EXPECT_FALSE(pong->masked);
    auto reply = client.ReadText(2s);
    ASSERT_TRUE(reply);
    EXPECT_TRUE(reply->starts_with(R"({"id":7,"src":"shellypro3em-0a1b2c3d4e5f","dst":"frag",)"
                                   R"("result":{"device":)"))
        << *reply;
}

TEST_F(WebSocketServerTest, ClientClosesCleanly) {
    WebSocketClient client(Port());
    client.SendRaw(ClientFrame(Opcode::Close, std::string("\x03\xe8"
                                                          "bye",
                                                          5)));
    auto close = client.Read(2s);
    ASSERT_TRUE(close);
    EXPECT_EQ(close->opcode, Opcode::Close);
    EXPECT_EQ(close->CloseCode(), close_code::kNormal);
    EXPECT_TRUE(client.ClosedByServer(2s));
}

TEST_F(WebSocketServerTest, ProtocolViolationsCloseWithTheirCode) {
    const std::pair<std::string, std::uint16_t> cases[] = {
        {ClientFrame(Opcode::Text, R"({"id":1,"method":"RPC.Ping"})", true, false),
         close_code::kProtocolError},
        {ClientFrame(Opcode::Binary, "\x01\x02"), close_code::kUnsupportedData},
        {ClientFrame(Opcode::Text, "\xc3\x28"), close_code::kInvalidPayload},
        {ClientFrame(Opcode::Text, std::string(16 * 1024 + 1, ' ')), close_code::kTooBig},
    };
    for (const auto& [bytes, code] : cases) {
        WebSocketClient client(Port());
        client.SendRaw(bytes);
        auto close = client.Read(2s);
        ASSERT_TRUE(close) << code;
        EXPECT_EQ(close->opcode, Opcode::Close) << code;
        EXPECT_EQ(close->CloseCode(), code);
        EXPECT_TRUE(client.ClosedByServer(2s)) << code;
    }
    // Each client has gone; the server lets go of them as their EOFs arrive.
    auto deadline = std::chrono::steady_clock::now() + 2s;
    while (websocket_->Clients() > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(10ms);
    EXPECT_EQ(websocket_->Clients(), 0u);
}

TEST_F(WebSocketServerTest, LargestMessageIsAccepted) {
    WebSocketClient client(Port());
    std::string padded = R"({"id":1,"method":"RPC.Ping","pad":")";
    padded += std::string(16 * 1024 - padded.size() - 2, 'x') + "\"}";
    ASSERT_EQ(padded.size(), 16u * 1024);
    // In 3 fragments, to check the limit counts the whole message.
    client.SendRaw(ClientFrame(Opcode::Text, padded.substr(0, 6000), false) +
                   ClientFrame(Opcode::Continuation, padded.substr(6000, 6000), false) +
                   ClientFrame(Opcode::Continuation, padded.substr(12000), true));
    EXPECT_EQ(client.ReadText(2s), R"({"id":1,"src":"shellypro3em-0a1b2c3d4e5f","result":null})");
}

TEST_F(WebSocketServerTest, SubscribedClientsGetNotifyStatusPromptly) {
    WebSocketClient subscribed(Port()), anonymous(Port());
    subscribed.SendText(R"({"id":1,"src":"aios-42","method":"Shelly.GetStatus"})");
    ASSERT_TRUE(subscribed.ReadText(2s));
    anonymous.SendText(R"({"id":1,"method":"Shelly.GetStatus"})"); // no src: no pushes
    ASSERT_TRUE(anonymous.ReadText(2s));
    std::vector<double> latencies_ms;
    for (int i = 0; i < 20; ++i) {
        auto published = std::chrono::steady_clock::now();
        Publish(100.0 + i);
        auto push = subscribed.ReadText(2s);
        latencies_ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - published)
                .count());
        ASSERT_TRUE(push) << "push " << i;
        EXPECT_TRUE(push->starts_with(R"({"src":"shellypro3em-0a1b2c3d4e5f","dst":"aios-42",)"
                                      R"("method":"NotifyStatus","params":{"ts":)"))
            << *push;
        EXPECT_NE(push->find("\"a_act_power\":" + std::to_string(100 + i) + ".0,"),
                  std::string::npos)
            << *push;
        EXPECT_EQ(push->find("\"id\":1,"), std::string::npos) << "a notification has no id";
    }
    EXPECT_FALSE(anonymous.Read(200ms)) << "a client without src got a push";
    std::sort(latencies_ms.begin(), latencies_ms.end());
    std::printf("NotifyStatus after Publish: median %.2f ms, max %.2f ms\n", latencies_ms[10],
                latencies_ms.back());
    EXPECT_LT(latencies_ms.back(), 100.0);
}

TEST_F(WebSocketServerTest, SilentStaleDataIsAnErrorAndNeverPushed) {
    WebSocketClient client(Port());
    client.SendText(R"({"id":1,"src":"ha","method":"EM.GetStatus","params":{"id":0}})");
    auto reply = client.ReadText(2s);
    ASSERT_TRUE(reply);
    EXPECT_NE(
        reply->find(R"("error":{"code":-114,"message":"No reading from the data source yet"})"),
        std::string::npos)
        << *reply;
    Publish(500, 30s); // a reading that arrives already stale
    EXPECT_FALSE(client.Read(300ms));
    Publish(500);
    EXPECT_TRUE(client.ReadText(2s));
}

TEST_F(WebSocketServerTest, TooManyClientsAreToldToComeBack) {
    WebSocketLimits limits;
    limits.max_clients = 2;
    Start(OnStale::Silent, limits);
    // The server adopts upgraded sockets in whatever order its threads hand them over: the
    // first two are served before the third connects, so the third is the one over the limit.
    WebSocketClient first(Port()), second(Port());
    for (WebSocketClient* client : {&first, &second}) {
        client->SendText(R"({"id":1,"method":"RPC.Ping"})");
        ASSERT_TRUE(client->ReadText(2s));
    }
    WebSocketClient third(Port());
    auto close = third.Read(2s);
    ASSERT_TRUE(close);
    EXPECT_EQ(close->CloseCode(), close_code::kTryAgainLater);
    first.SendText(R"({"id":2,"method":"RPC.Ping"})");
    EXPECT_TRUE(first.ReadText(2s));
}

TEST_F(WebSocketServerTest, HttpIdleTimeoutDoesNotCutWebSockets) {
    HttpLimits http_limits;
    http_limits.idle_timeout = 1s;
    Start(OnStale::Silent, {}, http_limits);
    WebSocketClient client(Port());
    std::this_thread::sleep_for(2500ms);
    client.SendText(R"({"id":5,"method":"RPC.Ping"})");
    EXPECT_EQ(client.ReadText(2s), R"({"id":5,"src":"shellypro3em-0a1b2c3d4e5f","result":null})");
}

TEST_F(WebSocketServerTest, ClientsThatSendNoFrameAreClosedAfterTheIdleLimit) {
    WebSocketLimits limits;
    limits.idle_timeout = 600ms;
    Start(OnStale::Silent, limits);
    WebSocketClient silent(Port()), talking(Port());
    // A frame every 200 ms keeps a client, an unsolicited pong too.
    for (int i = 0; i < 6; ++i) {
        talking.SendRaw(ClientFrame(Opcode::Pong, ""));
        std::this_thread::sleep_for(200ms);
    }
    // Asked before its own 600 ms of silence are up.
    talking.SendText(R"({"id":2,"method":"RPC.Ping"})");
    EXPECT_EQ(talking.ReadText(2s), R"({"id":2,"src":"shellypro3em-0a1b2c3d4e5f","result":null})");
    auto close = silent.Read(2s);
    ASSERT_TRUE(close);
    EXPECT_EQ(close->CloseCode(), close_code::kNormal);
    EXPECT_TRUE(silent.ClosedByServer(2s));
}

TEST_F(WebSocketServerTest, StopClosesEveryClientGoingAway) {
    WebSocketClient client(Port());
    client.SendText(R"({"id":1,"method":"RPC.Ping"})");
    ASSERT_TRUE(client.ReadText(2s));
    auto started = std::chrono::steady_clock::now();
    websocket_->Stop();
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
    auto close = client.Read(2s);
    ASSERT_TRUE(close);
    EXPECT_EQ(close->CloseCode(), close_code::kGoingAway);
    EXPECT_TRUE(client.ClosedByServer(2s));
    // New upgrades after Stop are closed at once, while HTTP still answers.
    WebSocketClient late(Port());
    EXPECT_TRUE(late.ClosedByServer(2s));
}

} // namespace
} // namespace meteremu
