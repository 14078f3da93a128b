// SPDX-License-Identifier: MIT
// The client side of RFC 6455: masked frames out, a reader that takes a server's unmasked
// frames and refuses masked ones, ws:// URLs; and the client against the project's own
// WebSocket server (handshake key check, a message each way).
#include "net/socket.hpp"
#include "net/websocket_client.hpp"
#include "net/websocket_protocol.hpp"
#include "net/websocket_server.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

using namespace websocket;

TEST(WebSocketClientTest, MaskedFramesReadBackThroughAServersReader) {
    std::string frame = EncodeMaskedFrame(Opcode::Text, "hello", {0x37, 0xfa, 0x21, 0x3d});
    // RFC 6455 section 5.7: a masked "Hello" of the same key; ours says "hello".
    EXPECT_EQ(frame.substr(0, 6), std::string("\x81\x85\x37\xfa\x21\x3d", 6));
    EXPECT_EQ(frame[6], static_cast<char>('h' ^ 0x37));
    MessageReader server(1024);
    server.Feed(frame + EncodeMaskedFrame(Opcode::Text, std::string(300, 'x'), {1, 2, 3, 4}));
    EXPECT_EQ(server.Next()->payload, "hello");
    EXPECT_EQ(server.Next()->payload, std::string(300, 'x'));
}

TEST(WebSocketClientTest, AClientsReaderTakesUnmaskedFramesOnly) {
    MessageReader client(1024, FramesFrom::Server);
    client.Feed(EncodeFrame(Opcode::Text, "from the server"));
    auto text = client.Next();
    ASSERT_TRUE(text);
    EXPECT_EQ(text->kind, Event::Kind::Text);
    EXPECT_EQ(text->payload, "from the server");
    client.Feed(EncodeMaskedFrame(Opcode::Text, "masked", {1, 2, 3, 4}));
    auto failure = client.Next();
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->kind, Event::Kind::Fail);
    EXPECT_EQ(failure->code, close_code::kProtocolError);
}

TEST(WebSocketClientTest, Urls) {
    auto url = ParseWebSocketUrl("ws://homeassistant.local:8123/api/websocket");
    ASSERT_TRUE(url);
    EXPECT_EQ(url->host, "homeassistant.local");
    EXPECT_EQ(url->port, 8123);
    EXPECT_EQ(url->path, "/api/websocket");
    auto v6 = ParseWebSocketUrl("ws://[fd00::1]");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->host, "fd00::1");
    EXPECT_EQ(v6->port, 80);
    EXPECT_EQ(v6->path, "/");
    for (const char* bad : {"wss://ha/api/websocket", "ws://", "ws://ha:0/", "ws://ha:x/",
                            "ws://user@ha/", "ws://[fd00::1/", "http://ha/"})
        EXPECT_FALSE(ParseWebSocketUrl(bad)) << bad;
}

class Echo final : public WebSocketApp {
    class Session final : public WebSocketSession {
        std::optional<WebSocketAnswer> OnMessage(std::string_view text) noexcept override {
            WebSocketAnswer answer;
            answer.text = "echo " + std::string(text);
            return answer;
        }
    };

public:
    std::unique_ptr<WebSocketSession> Open() override { return std::make_unique<Session>(); }
};

class Upgrade final : public HttpHandler {
public:
    explicit Upgrade(HttpUpgradeHandler& upgrade) : upgrade_(upgrade) {}
    HttpResponse Handle(const HttpRequest& request) noexcept override {
        return WebSocketHandshake(request, upgrade_, *this);
    }

private:
    HttpUpgradeHandler& upgrade_;
};

TEST(WebSocketClientTest, TalksToTheProjectsServer) {
    Echo echo;
    WebSocketServer websocket(echo);
    Upgrade handler(websocket);
    HttpServer http(BindSocket(SocketKind::Stream, "127.0.0.1", 0), handler);
    WebSocketUrl url{"127.0.0.1", http.Port(), "/ws"};
    WebSocketClient client(url, {}, {});
    client.SendText("ping?");
    EXPECT_EQ(client.Receive(std::chrono::seconds(5)), "echo ping?");
    EXPECT_EQ(client.Receive(std::chrono::milliseconds(50)), std::nullopt);
    client.Close();
    EXPECT_THROW(client.SendText("closed"), WebSocketClientError);
    websocket.Stop();
}

TEST(WebSocketClientTest, RefusedAndNotAWebSocket) {
    UniqueFd unused = BindSocket(SocketKind::Stream, "127.0.0.1", 0);
    WebSocketUrl closed{"127.0.0.1", LocalPort(unused.Get()), "/"};
    unused.Reset();
    try {
        WebSocketClient client(closed, {}, {});
        ADD_FAILURE() << "connected to a closed port";
    } catch (const WebSocketClientError& error) {
        EXPECT_EQ(error.GetKind(), WebSocketClientError::Kind::Refused) << error.what();
    }
    struct NotFound final : HttpHandler {
        HttpResponse Handle(const HttpRequest&) noexcept override {
            HttpResponse response;
            response.status = 404;
            return response;
        }
    } not_found;
    HttpServer http(BindSocket(SocketKind::Stream, "127.0.0.1", 0), not_found);
    try {
        WebSocketClient client({"127.0.0.1", http.Port(), "/"}, {}, {});
        ADD_FAILURE() << "a 404 taken for a WebSocket";
    } catch (const WebSocketClientError& error) {
        EXPECT_EQ(error.GetKind(), WebSocketClientError::Kind::Handshake);
        EXPECT_EQ(error.Status(), 404);
    }
}

} // namespace
} // namespace meteremu
