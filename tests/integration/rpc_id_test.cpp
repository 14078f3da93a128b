// SPDX-License-Identifier: MIT
// The built daemon echoes a JSON-RPC request's id so that the reply is valid JSON and its id
// equals the request's, over UDP and POST /rpc alike.
#include "support/daemon_process.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"
#include "support/udp_client.hpp"
#include "util/json.hpp"

#include <gtest/gtest.h>

#include <utility>

namespace meteremu::test {
namespace {

/// Whether `reply` is a JSON object whose "id" equals `expected` (JSON text), checked
/// by jansson's equality, so "007" and 7 differ while 7 and 7 are the same.
testing::AssertionResult IdEquals(const std::string& reply, const std::string& expected) {
    JsonPtr parsed(json_loadb(reply.data(), reply.size(), 0, nullptr));
    if (!parsed) return testing::AssertionFailure() << "not JSON: " << reply;
    JsonPtr id(json_loadb(expected.data(), expected.size(), JSON_DECODE_ANY, nullptr));
    if (!json_equal(json_object_get(parsed.get(), "id"), id.get()))
        return testing::AssertionFailure() << "the id is not " << expected << ": " << reply;
    return testing::AssertionSuccess();
}

/// Each request id and the id its reply must carry: a canonical digit string comes back as
/// a number, as the firmware prints it; every other id comes back as it was sent.
const std::pair<std::string, std::string> kIds[] = {
    {R"("007")", R"("007")"},
    {R"("42")", "42"},
    {R"("0")", "0"},
    {"7", "7"},
    {"0", "0"},
    {"-3", "-3"},
    {R"("a \"quoted\" id")", R"("a \"quoted\" id")"}};

std::string Request(const std::string& id) {
    return R"({"id":)" + id + R"(,"src":"test","method":"Shelly.GetDeviceInfo"})";
}

TEST(DaemonRpcIdTest, RepliesAreJsonWithTheRequestsIdOverUdpAndHttp) {
    TempDir dir;
    RunningDaemon daemon = StartDaemon(dir.Write("meteremu.toml", DemoTestConfig()).string());
    std::uint16_t udp_port = daemon.UdpPorts(1)[0];
    UdpClient client("127.0.0.1");
    for (const auto& [id, echoed] : kIds) {
        ASSERT_TRUE(client.Send("127.0.0.1", udp_port, Request(id)));
        auto datagram = client.Receive(std::chrono::seconds(2));
        ASSERT_TRUE(datagram) << "no UDP reply for id " << id;
        EXPECT_TRUE(IdEquals(datagram->text, echoed)) << "UDP";
        HttpResult posted = HttpPost(daemon.Url("/rpc"), Request(id));
        EXPECT_EQ(posted.status, 200) << id;
        EXPECT_TRUE(IdEquals(posted.body, echoed)) << "POST /rpc";
    }
}

} // namespace
} // namespace meteremu::test
