// SPDX-License-Identifier: MIT
// The fake Envoy as a program (for fault matrices and benchmarks run from scripts): it prints
// its ports, serves a capture folder, and switches faults through its control port.
#include "integration/envoy_support.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <future>

namespace meteremu::test {
namespace {

using namespace std::chrono_literals;

TEST(FakeEnvoyProgramTest, ServesAFolderAndTakesFaultsAtRunTime) {
    ChildProcess fake(
        {FAKE_ENVOY_BINARY, "--fixtures", EnvoyFolder("3.9.36").string(), "--port", "0"});
    auto ports = fake.WaitForOutput(R"(port=(\d+) control=(\d+))", 10s);
    ASSERT_TRUE(ports) << fake.Stderr();
    std::string envoy = "http://127.0.0.1:" + (*ports)[1];
    std::string control = "http://127.0.0.1:" + (*ports)[2];

    auto info = HttpGet(envoy + "/info");
    EXPECT_EQ(info.status, 200);
    EXPECT_EQ(info.body, ReadFile(EnvoyFolder("3.9.36") / "info"));
    auto html = HttpGet(envoy + "/production.json");
    EXPECT_EQ(html.status, 200); // R3.9.36 answers an HTML page with 200, as captured
    EXPECT_EQ(html.Header("Content-Type"), "text/html");

    EXPECT_EQ(HttpGet(control + "/fault?kind=503&path=/info&count=1").status, 200);
    EXPECT_EQ(HttpGet(envoy + "/info").status, 503);
    EXPECT_EQ(HttpGet(envoy + "/info").status, 200);
    EXPECT_EQ(HttpGet(control + "/fault?kind=bogus").status, 400);

    EXPECT_EQ(HttpGet(control + "/down").status, 200);
    EXPECT_EQ(HttpGet(envoy + "/info").status, 0); // refused
    EXPECT_EQ(HttpGet(control + "/up").status, 200);
    EXPECT_EQ(HttpGet(envoy + "/info").status, 200);

    auto stats = HttpGet(control + "/stats");
    EXPECT_EQ(stats.status, 200);
    EXPECT_EQ(ReplyNumber(stats.body, "requests"), 5.0) << stats.body;
    EXPECT_EQ(ReplyNumber(stats.body, "max_in_flight"), 1.0) << stats.body;
    EXPECT_EQ(fake.Stop(SIGTERM), 0);
}

/// Tests that judge freshness by what the fake sent count a reading as surely delivered only
/// once libmicrohttpd sent all of it: a 200 recorded just before SetDown(true) may never
/// leave (a race fault_matrix hit under AddressSanitizer).
TEST(FakeEnvoyTest, RecordsWhetherTheWholeAnswerLeft) {
    FakeEnvoyOptions options;
    options.folder = EnvoyFolder("3.9.36"); // plain HTTP
    FakeEnvoy envoy(options);
    std::string url = "http://127.0.0.1:" + std::to_string(envoy.Port()) + "/info";
    ASSERT_EQ(HttpGet(url).status, 200);
    envoy.SetFault({FaultKind::Reset, 0ms, "", 1});
    EXPECT_EQ(HttpGet(url).status, 0);
    ASSERT_TRUE(WaitUntil([&] { return envoy.Requests().size() == 2; }, 5s));
    // The completion comes from libmicrohttpd's thread, shortly after the client has it all.
    ASSERT_TRUE(WaitUntil([&] { return envoy.Requests()[0].delivered; }, 5s));
    auto requests = envoy.Requests();
    EXPECT_EQ(requests[0].number + 1, requests[1].number);
    EXPECT_FALSE(requests[1].delivered) << "half an answer counted as delivered";
}

/// The in-flight count the Envoy tests assert (at most one request to the gateway at a time)
/// is what the client holds open: requests it gave up on before sending the next count one,
/// however late the hung handler notices the close; two held open together count two.
TEST(FakeEnvoyTest, CountsTheRequestsAClientHoldsOpenAtOnce) {
    FakeEnvoyOptions options;
    options.folder = EnvoyFolder("3.9.36");
    FakeEnvoy envoy(options);
    std::string url = "http://127.0.0.1:" + std::to_string(envoy.Port()) + "/info";
    envoy.SetFault({FaultKind::Hang, 0ms, "", -1});
    for (int attempt = 0; attempt < 10; ++attempt)
        EXPECT_EQ(HttpGet(url, 100ms).status, 0);
    EXPECT_EQ(envoy.MaxInFlight(), 1);

    auto first = std::async(std::launch::async, [&] { return HttpGet(url, 3s).status; });
    auto second = std::async(std::launch::async, [&] { return HttpGet(url, 3s).status; });
    EXPECT_TRUE(WaitUntil([&] { return envoy.MaxInFlight() == 2; }, 5s))
        << "two requests held open together counted " << envoy.MaxInFlight();
    envoy.ClearFault(); // ends the hang: whether they get an answer is not the point here
    first.wait();
    second.wait();
}

} // namespace
} // namespace meteremu::test
