// SPDX-License-Identifier: MIT
// The HTTP transport on a real libmicrohttpd server, queried by a real libcurl client.
#include "frontends/jsonrpc/rpc_http.hpp"
#include "frontends/shelly/shelly_frontend.hpp"
#include "support/http_client.hpp"
#include "support/readings.hpp"
#include "support/shelly.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

using namespace std::chrono_literals;
using test::HttpGet;
using test::HttpPost;

class RpcHttpTest : public testing::TestWithParam<OnStale> {
protected:
    void Start(OnStale mode) {
        server_.reset();
        handler_.reset();
        frontend_.reset();
        auto shelly = test::MakeShelly(mode, {0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f});
        state_ = std::move(shelly.state);
        frontend_ = std::move(shelly.frontend);
        handler_ = std::make_unique<RpcHttpHandler>(
            *frontend_, std::string(frontend_->HttpServerName()), frontend_->HttpAliases());
        server_ =
            std::make_unique<HttpServer>(BindSocket(SocketKind::Stream, "127.0.0.1", 0), *handler_);
    }

    void SetUp() override { Start(OnStale::Silent); }

    /// A reading as a backend that stopped `age` ago left it.
    void Publish(double watts, Seconds age = 0s) {
        test::PublishAged(*state_, {231.5, 2.5, watts, 580, 0.8, 50.02, 4242.42, 99.5}, age);
    }

    std::string Url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(server_->Port()) + path;
    }

    std::unique_ptr<MeterState> state_;
    std::unique_ptr<JsonRpcFrontend> frontend_;
    std::unique_ptr<RpcHttpHandler> handler_;
    std::unique_ptr<HttpServer> server_;
};

TEST_F(RpcHttpTest, ShellyPathAnswersLikeARealDevice) {
    auto reply = HttpGet(Url("/shelly"));
    ASSERT_EQ(reply.status, 200) << reply.error;
    EXPECT_EQ(reply.Header("Content-Type"), "application/json");
    EXPECT_EQ(reply.Header("Server"), "ShellyHTTP/1.0.0");
    EXPECT_EQ(reply.Header("Pragma"), "no-cache");
    EXPECT_EQ(reply.Header("Content-Length"), std::to_string(reply.body.size()));
    EXPECT_FALSE(reply.Header("Date"));
    EXPECT_EQ(reply.Header("Transfer-Encoding"), std::nullopt);
    EXPECT_TRUE(reply.body.starts_with(R"({"name":null,"id":"shellypro3em-0a1b2c3d4e5f",)"))
        << reply.body;
}

TEST_F(RpcHttpTest, RpcGetWithTypedQuery) {
    Publish(1234.5);
    auto reply = HttpGet(Url("/rpc/EM.GetStatus?id=0"));
    ASSERT_EQ(reply.status, 200) << reply.body;
    EXPECT_NE(reply.body.find("\"a_act_power\":1234.5,"), std::string::npos);
    EXPECT_EQ(reply.Header("Server"), "ShellyHTTP/1.0.0");
    EXPECT_FALSE(reply.Header("Pragma"));
    EXPECT_EQ(HttpGet(Url("/rpc/EM.GetStatus?id=1")).status, 400);
    EXPECT_EQ(HttpGet(Url("/rpc/EM.GetStatus")).status, 400);
}

TEST_F(RpcHttpTest, RpcPostWithParamsBody) {
    Publish(-42);
    auto reply = HttpPost(Url("/rpc/EMData.GetStatus"), R"({"id":0})");
    ASSERT_EQ(reply.status, 200) << reply.body;
    EXPECT_NE(reply.body.find("\"a_total_act_energy\":4242.42"), std::string::npos);
    auto bad = HttpPost(Url("/rpc/EMData.GetStatus"), "{not json");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(bad.body, R"({"code":-103,"message":"Params must be a JSON object"})");
}

// The server's refusals reach the wire as the device's bare error objects.
TEST_F(RpcHttpTest, RefusalsOfTheServerAreJsonRpcErrorObjects) {
    std::string many;
    for (int i = 0; i < 100; ++i)
        many += "a=1&";
    auto reply = HttpGet(Url("/rpc/EM.GetStatus?" + many));
    EXPECT_EQ(reply.status, 414) << reply.error;
    EXPECT_EQ(reply.body, R"({"code":414,"message":"Too many query arguments"})");
    EXPECT_EQ(reply.Header("Content-Type"), "application/json");
    EXPECT_EQ(reply.Header("Connection"), "close");
    reply = HttpGet(Url("/rpc/RPC.Ping?x=" + std::string(9000, 'q')));
    EXPECT_EQ(reply.status, 414) << reply.error;
    EXPECT_EQ(reply.body, R"({"code":414,"message":"Request URI too long"})");
    reply = HttpPost(Url("/rpc/RPC.Ping"), std::string(20 * 1024, ' '));
    EXPECT_EQ(reply.status, 413) << reply.error;
    EXPECT_EQ(reply.body, R"({"code":413,"message":"Request body too large"})");
    EXPECT_EQ(reply.Header("Content-Type"), "application/json");
}

TEST_F(RpcHttpTest, UnknownMethodAndPath) {
    auto reply = HttpGet(Url("/rpc/EM0.GetStatus"));
    EXPECT_EQ(reply.status, 404);
    EXPECT_EQ(reply.body, R"({"code":404,"message":"No handler for EM0.GetStatus"})");
    EXPECT_EQ(reply.Header("Content-Type"), "application/json");
    EXPECT_EQ(HttpGet(Url("/status")).status, 404);
    EXPECT_EQ(HttpGet(Url("/rpc/")).status, 404);
}

TEST_P(RpcHttpTest, StaleReadingPerOnStale) {
    OnStale mode = GetParam();
    Start(mode);
    Publish(880.0, 60s); // the backend stopped a minute ago
    auto reply = HttpGet(Url("/rpc/EM.GetStatus?id=0"));
    switch (mode) {
    case OnStale::Silent:
        EXPECT_EQ(reply.status, 503);
        EXPECT_TRUE(reply.body.starts_with(R"({"code":-114,"message":"No fresh reading)"))
            << reply.body;
        break;
    case OnStale::Zero:
        EXPECT_EQ(reply.status, 200);
        EXPECT_NE(reply.body.find("\"total_act_power\":0.000,"), std::string::npos) << reply.body;
        break;
    case OnStale::Last:
        EXPECT_EQ(reply.status, 200);
        EXPECT_NE(reply.body.find("\"total_act_power\":880.000,"), std::string::npos) << reply.body;
        break;
    }
    // Identity never depends on the data.
    EXPECT_EQ(HttpGet(Url("/shelly")).status, 200);
    EXPECT_EQ(HttpGet(Url("/rpc/Shelly.GetStatus")).status, 200);
    Publish(-75.0);
    reply = HttpGet(Url("/rpc/EM.GetStatus?id=0"));
    EXPECT_EQ(reply.status, 200);
    EXPECT_NE(reply.body.find("\"total_act_power\":-75.000,"), std::string::npos) << reply.body;
}

INSTANTIATE_TEST_SUITE_P(EveryMode, RpcHttpTest,
                         testing::Values(OnStale::Silent, OnStale::Zero, OnStale::Last),
                         [](const auto& mode) { return std::string(OnStaleName(mode.param)); });

TEST(RpcHttpParamsTest, QueryValuesAreTypedAsJson) {
    JsonPtr params = ParamsFromQuery({{"id", "0"},
                                      {"dynamic_only", "true"},
                                      {"name", "kitchen"},
                                      {"quoted", "\"x\""},
                                      {"config", R"({"name":"x"})"},
                                      {"empty", ""},
                                      {"ratio", "0.5"}});
    ASSERT_TRUE(params);
    JsonText text(json_dumps(params.get(), JSON_COMPACT | JSON_PRESERVE_ORDER));
    EXPECT_STREQ(text.get(), R"({"id":0,"dynamic_only":true,"name":"kitchen","quoted":"x",)"
                             R"("config":{"name":"x"},"empty":"","ratio":0.5})");
    EXPECT_EQ(ParamsFromQuery({}), nullptr);
}

TEST(RpcHttpParamsTest, ErrorCodesMapToHttpStatuses) {
    EXPECT_EQ(HttpStatusForRpcError(404), 404u);
    EXPECT_EQ(HttpStatusForRpcError(-103), 400u);
    EXPECT_EQ(HttpStatusForRpcError(-105), 400u);
    EXPECT_EQ(HttpStatusForRpcError(-114), 503u);
    EXPECT_EQ(HttpStatusForRpcError(-109), 500u);
}

} // namespace
} // namespace meteremu
