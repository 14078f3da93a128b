// SPDX-License-Identifier: MIT
// The HTTP server's limits on a real libmicrohttpd server, with clients on distinct loopback
// addresses (127.0.0.2, 127.0.0.3, …: the server sees each as a client of its own): the
// connection counts, the allow list, the request timeout against idle and trickling clients,
// the sizes of a request, and WebSocket connections, which are neither timed nor counted as
// HTTP connections.
#include "support/shelly_servers.hpp"
#include "support/tcp_client.hpp"
#include "support/websocket_client.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace meteremu {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using test::ClosedSilently;
using test::ConnectFrom;
using test::Exchange;
using test::GetRequest;
using test::StatusOf;

AllowList Allow(const char* network) {
    std::string error;
    return AllowList({IpNetwork::Parse(network, error).value()});
}

class HttpLimitsTest : public testing::Test {
protected:
    void Start(HttpLimits limits, WebSocketLimits websocket_limits = {}) {
        limits.max_upgraded = websocket_limits.max_clients + 8;
        servers_ = std::make_unique<test::ShellyServers>(OnStale::Silent, websocket_limits, limits);
    }

    void TearDown() override { servers_.reset(); }

    std::uint16_t Port() const { return servers_->Port(); }

    /// A connection from `source` that is served: /shelly answers 200 on it.
    bool Served(int fd) { return StatusOf(Exchange(fd, GetRequest("/shelly"), 2s)) == 200; }

    bool ServedFrom(const std::string& source) {
        UniqueFd fd = ConnectFrom(source, Port());
        return Served(fd.Get());
    }

    /// Connects from `source` until a connection is served (the server notices closed
    /// connections a moment after the client closes them), for at most `timeout`.
    UniqueFd ServedConnectionFrom(const std::string& source, std::chrono::milliseconds timeout) {
        auto deadline = Clock::now() + timeout;
        do {
            UniqueFd fd = ConnectFrom(source, Port());
            if (Served(fd.Get())) return fd;
            std::this_thread::sleep_for(50ms);
        } while (Clock::now() < deadline);
        return {};
    }

    /// Opens `count` connections from `source`, each checked to be served and left open.
    std::vector<UniqueFd> Hold(const std::string& source, int count) {
        std::vector<UniqueFd> held;
        for (int i = 0; i < count; ++i) {
            held.push_back(ConnectFrom(source, Port()));
            EXPECT_TRUE(Served(held.back().Get())) << source << " #" << i;
        }
        return held;
    }

    std::unique_ptr<test::ShellyServers> servers_;
};

TEST_F(HttpLimitsTest, PerAddressLimitRefusesOnlyTheSurplus) {
    HttpLimits limits;
    limits.max_connections_per_address = 3;
    Start(limits);
    auto held = Hold("127.0.0.2", 3);
    UniqueFd surplus = ConnectFrom("127.0.0.2", Port());
    EXPECT_TRUE(ClosedSilently(surplus.Get(), 2s)) << "a 4th connection from 127.0.0.2";
    EXPECT_TRUE(ServedFrom("127.0.0.3"));
    // The host itself is not limited.
    auto own = Hold("127.0.0.1", 5);
    // A closed connection makes room again.
    held.pop_back();
    EXPECT_TRUE(ServedConnectionFrom("127.0.0.2", 2s).Valid());
}

TEST_F(HttpLimitsTest, FullServerDisplacesTheLongestWaitingConnectionNeverTheHost) {
    HttpLimits limits;
    limits.max_connections = 4;
    Start(limits);
    // The server starts a connection's wait when its answer has gone out, in its own thread,
    // a moment after the client read that answer: each answer gets time to be counted before
    // the next, or a server thread paused in between (a loaded machine, a sanitizer build)
    // would order the waits otherwise than the test did.
    auto let_the_server_count_the_answer = [] { std::this_thread::sleep_for(300ms); };
    std::vector<UniqueFd> held;
    for (const char* source : {"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"}) {
        for (auto& fd : Hold(source, 1))
            held.push_back(std::move(fd));
        let_the_server_count_the_answer();
    }
    // 127.0.0.3 asks again, so 127.0.0.2 has waited longest for its next request.
    EXPECT_TRUE(Served(held[1].Get()));
    let_the_server_count_the_answer();
    UniqueFd fifth = ConnectFrom("127.0.0.6", Port());
    EXPECT_TRUE(Served(fifth.Get()));
    EXPECT_TRUE(ClosedSilently(held[0].Get(), 2s));
    EXPECT_TRUE(Served(held[1].Get()));
    // The watchdog's probe and local tools still get in, and displace nobody.
    auto own = Hold("127.0.0.1", 5);
    EXPECT_TRUE(ServedFrom(""));
    for (std::size_t i = 1; i < held.size(); ++i)
        EXPECT_TRUE(Served(held[i].Get())) << i;
}

TEST_F(HttpLimitsTest, AllowListRefusesOtherNetworksAndCanBeReplaced) {
    Start({});
    servers_->bundle->ApplyAllow(Allow("127.0.0.8/30"));
    EXPECT_TRUE(ServedFrom("127.0.0.9"));
    EXPECT_TRUE(ServedFrom("127.0.0.11"));
    UniqueFd outside = ConnectFrom("127.0.0.12", Port());
    EXPECT_TRUE(ClosedSilently(outside.Get(), 2s));
    EXPECT_TRUE(ServedFrom("127.0.0.1"));
    // WebSocket upgrades come through the same door.
    EXPECT_THROW(test::WebSocketClient(Port(), "/rpc", "127.0.0.12"), std::runtime_error);
    EXPECT_NO_THROW(test::WebSocketClient(Port(), "/rpc", "127.0.0.10"));
    servers_->bundle->ApplyAllow(Allow("127.0.0.12"));
    EXPECT_TRUE(ServedFrom("127.0.0.12"));
    UniqueFd now_outside = ConnectFrom("127.0.0.9", Port());
    EXPECT_TRUE(ClosedSilently(now_outside.Get(), 2s));
}

TEST_F(HttpLimitsTest, IdleConnectionIsClosedAtTheTimeout) {
    HttpLimits limits;
    limits.idle_timeout = 1s;
    Start(limits);
    auto opened = Clock::now();
    UniqueFd idle = ConnectFrom("127.0.0.2", Port());
    EXPECT_TRUE(ClosedSilently(idle.Get(), 5s));
    auto lasted = Clock::now() - opened;
    EXPECT_GE(lasted, 900ms);
    EXPECT_LT(lasted, 3s);
}

TEST_F(HttpLimitsTest, TricklingRequestIsCutAtTheTimeout) {
    HttpLimits limits;
    limits.idle_timeout = 1s;
    Start(limits);
    auto opened = Clock::now();
    UniqueFd slow = ConnectFrom("127.0.0.2", Port());
    ASSERT_TRUE(test::SendAll(slow.Get(), "GET /shelly HTTP/1.1\r\nHost: meter\r\nX-Slow: "));
    // A byte every 100 ms: never silent long enough for an inactivity timeout.
    bool closed = false;
    while (!closed && Clock::now() - opened < 5s) {
        closed = !test::SendAll(slow.Get(), "a") || ClosedSilently(slow.Get(), 100ms);
    }
    auto lasted = Clock::now() - opened;
    EXPECT_TRUE(closed);
    EXPECT_GE(lasted, 900ms);
    EXPECT_LT(lasted, 3s);
}

TEST_F(HttpLimitsTest, KeepAliveGetsTheTimeoutAfreshAfterEachAnswer) {
    HttpLimits limits;
    limits.idle_timeout = 1500ms;
    Start(limits);
    UniqueFd battery = ConnectFrom("127.0.0.2", Port());
    // Polls every 0.6 s for 3 s, twice the timeout, on one connection.
    for (int poll = 0; poll < 5; ++poll) {
        EXPECT_TRUE(Served(battery.Get())) << poll;
        std::this_thread::sleep_for(600ms);
    }
}

TEST_F(HttpLimitsTest, WebSocketsAreNotTimedNorCountedAsHttpButPerAddress) {
    HttpLimits limits;
    limits.max_connections = 2;
    limits.max_connections_per_address = 2;
    limits.idle_timeout = 1s;
    Start(limits);
    test::WebSocketClient first(Port(), "/rpc", "127.0.0.2");
    test::WebSocketClient second(Port(), "/rpc", "127.0.0.2");
    std::this_thread::sleep_for(1500ms);
    for (auto* client : {&first, &second}) {
        client->SendText(R"({"id":7,"method":"RPC.Ping"})");
        EXPECT_EQ(client->ReadText(2s),
                  R"({"id":7,"src":"shellypro3em-0a1b2c3d4e5f","result":null})");
    }
    // Both HTTP slots are free for others, and a third displaces an HTTP connection, not a
    // WebSocket ...
    auto held = Hold("127.0.0.3", 1);
    auto more = Hold("127.0.0.4", 1);
    EXPECT_TRUE(ServedFrom("127.0.0.5"));
    EXPECT_TRUE(ClosedSilently(held[0].Get(), 2s));
    first.SendText(R"({"id":8,"method":"RPC.Ping"})");
    EXPECT_EQ(first.ReadText(2s), R"({"id":8,"src":"shellypro3em-0a1b2c3d4e5f","result":null})");
    // ... but 127.0.0.2 has used its two connections.
    UniqueFd same_address = ConnectFrom("127.0.0.2", Port());
    EXPECT_TRUE(ClosedSilently(same_address.Get(), 2s));
}

TEST_F(HttpLimitsTest, RequestHeadBeyondTheLimitGets431) {
    HttpLimits limits;
    limits.max_header_bytes = 1024;
    Start(limits);
    auto request = [](size_t padding) {
        return "GET /shelly HTTP/1.1\r\nHost: meter\r\nX-Pad: " + std::string(padding, 'p') +
               "\r\n\r\n";
    };
    UniqueFd fd = ConnectFrom("127.0.0.2", Port());
    EXPECT_EQ(StatusOf(Exchange(fd.Get(), request(800), 2s)), 200);
    UniqueFd big = ConnectFrom("127.0.0.2", Port());
    std::string answer = Exchange(big.Get(), request(1100), 2s);
    EXPECT_EQ(StatusOf(answer), 431) << answer;
    // Far beyond it libmicrohttpd's own buffer ends first and it answers 431 itself.
    UniqueFd huge = ConnectFrom("127.0.0.2", Port());
    answer = Exchange(huge.Get(), request(64 * 1024), 2s);
    EXPECT_EQ(StatusOf(answer), 431) << answer;
    // A query that makes the request line too long is another status.
    UniqueFd query = ConnectFrom("127.0.0.2", Port());
    answer = Exchange(query.Get(), GetRequest("/rpc/RPC.Ping?x=" + std::string(1100, 'q')), 2s);
    EXPECT_EQ(StatusOf(answer), 414) << answer;
    // A long query and headers together count.
    UniqueFd both = ConnectFrom("127.0.0.2", Port());
    answer =
        Exchange(both.Get(),
                 "GET /rpc/RPC.Ping?x=" + std::string(600, 'q') +
                     " HTTP/1.1\r\nHost: meter\r\nX-Pad: " + std::string(600, 'p') + "\r\n\r\n",
                 2s);
    EXPECT_EQ(StatusOf(answer), 431) << answer;
}

TEST_F(HttpLimitsTest, BodyBeyondTheLimitGets413) {
    HttpLimits limits;
    limits.max_body_bytes = 256;
    Start(limits);
    auto post = [](size_t padding) {
        std::string body =
            R"({"id":1,"method":"RPC.Ping","pad":")" + std::string(padding, 'p') + "\"}";
        return "POST /rpc HTTP/1.1\r\nHost: meter\r\nContent-Type: application/json\r\n"
               "Content-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body;
    };
    UniqueFd fd = ConnectFrom("127.0.0.2", Port());
    EXPECT_EQ(StatusOf(Exchange(fd.Get(), post(200), 2s)), 200);
    UniqueFd big = ConnectFrom("127.0.0.2", Port());
    std::string answer = Exchange(big.Get(), post(300), 2s);
    EXPECT_EQ(StatusOf(answer), 413) << answer;
}

} // namespace
} // namespace meteremu
