// SPDX-License-Identifier: MIT
// Envoy authentication through the built daemon: bearer token plus session cookie reuse,
// 401 → re-check → Enlighten refresh against a fake Enlighten, the multi-factor message,
// expiry warnings and the expired-token error. Every test captures all the daemon printed
// and checks that no token appears in it.
#include "fakes/fake_enlighten.hpp"
#include "integration/envoy_support.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

namespace meteremu::test {
namespace {

using namespace std::chrono_literals;
using std::chrono::system_clock;

constexpr char kFolder[] = "8.3.5169_with_generator";
constexpr char kSerial[] = "202439990001"; // <sn> of that folder
constexpr char kReadme[] = "\"Getting an Envoy token\" in the README";

/// The [backend] keys of an Enlighten login against the fake.
std::string Login(const FakeEnlighten& enlighten) {
    return "username = \"owner@example.com\"\npassword = \"hunter2\"\nenlighten_url = \"" +
           enlighten.Url() + "\"\nentrez_url = \"" + enlighten.Url() + "\"\n";
}

class EnvoyAuthTest : public testing::Test {
protected:
    bool Serving() {
        return WaitUntil([&] { return rig_.Get("/rpc/EM.GetStatus?id=0").status == 200; }, 10s);
    }

    /// Every token of the test, checked against everything the daemon printed.
    void ExpectNoTokenIn(const std::string& output) {
        for (const auto& token : tokens_) {
            EXPECT_EQ(output.find(token), std::string::npos) << "a token was printed";
            // Not even its signature part, which a careless excerpt could show.
            EXPECT_EQ(output.find(token.substr(token.rfind('.'))), std::string::npos);
        }
        EXPECT_EQ(output.find("hunter2"), std::string::npos) << "the password was printed";
    }

    std::string Token(system_clock::duration valid_for, const std::string& jti) {
        tokens_.push_back(MakeJwt(system_clock::now() + valid_for, kSerial, "owner", jti));
        return tokens_.back();
    }

    void TearDown() override { ExpectNoTokenIn(rig_.Output()); }

    EnvoyRig rig_{EnvoyFolder(kFolder)};
    std::vector<std::string> tokens_;
};

TEST_F(EnvoyAuthTest, ChecksTheTokenOnceAndReusesTheSessionCookie) {
    std::string token = Token(365 * 24h, "a");
    rig_.Envoy().SetTokens({token});
    rig_.StartDaemon(rig_.BackendConfig(token, "poll_interval = 0.2\n"));
    ASSERT_TRUE(Serving()) << rig_.Output();
    ASSERT_TRUE(WaitUntil([&] { return rig_.Envoy().Count("/ivp/meters/readings") >= 10; }, 10s));
    EXPECT_EQ(rig_.Envoy().Count("/auth/check_jwt"), 1);
    for (const auto& request : rig_.Envoy().Requests()) {
        if (request.path == "/info" || request.path == "/auth/check_jwt") continue;
        EXPECT_TRUE(request.session) << request.path << " without the session cookie";
        EXPECT_TRUE(request.bearer) << request.path;
    }
    EXPECT_EQ(rig_.Envoy().Requests().front().bearer, false) << "/info needs no token";
    auto output = rig_.Output();
    EXPECT_NE(output.find("using the token: an owner token for Envoy 202439990001, valid until"),
              std::string::npos)
        << output;
    EXPECT_EQ(Occurrences(output, "<4>"), 0) << output; // a healthy start warns about nothing
}

TEST_F(EnvoyAuthTest, RejectedTokenIsRecheckedThenRefreshedFromEnlighten) {
    std::string old_token = Token(365 * 24h, "old");
    std::string new_token = Token(365 * 24h + 1h, "new");
    FakeEnlighten enlighten("owner@example.com", "hunter2", new_token);
    rig_.Envoy().SetTokens({old_token});
    rig_.StartDaemon(rig_.BackendConfig(old_token, "poll_interval = 0.2\n" + Login(enlighten)));
    ASSERT_TRUE(Serving()) << rig_.Output();
    EXPECT_EQ(enlighten.Logins(), 0);

    // The gateway stops accepting the old token (and its session), as after a revocation.
    rig_.Envoy().SetTokens({new_token});
    rig_.Envoy().ForgetSessions();
    rig_.Envoy().ClearRequests();
    ASSERT_TRUE(WaitUntil([&] { return enlighten.TokenRequests() == 1; }, 10s)) << rig_.Output();
    ASSERT_TRUE(WaitUntil(
        [&] {
            auto requests = rig_.Envoy().Requests();
            return !requests.empty() && requests.back().path == "/ivp/meters/readings" &&
                   requests.back().status == 200;
        },
        10s))
        << rig_.Output();
    EXPECT_EQ(enlighten.Logins(), 1);
    EXPECT_EQ(enlighten.LastSerial(), kSerial);
    // The data 401 was followed by one re-check with the old token (rejected), then one with
    // the new token.
    EXPECT_EQ(rig_.Envoy().Count("/auth/check_jwt"), 2);
    auto saved = rig_.StateDirectory() / "envoy-token";
    EXPECT_EQ(ReadFile(saved), new_token + "\n");
    struct stat info {};
    ASSERT_EQ(stat(saved.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
    EXPECT_EQ(Occurrences(rig_.Output(), "fetched a new Envoy token from Enlighten"), 1);

    // After a restart the saved token is used, not the rejected configured one.
    rig_.Daemon().process->Stop(SIGTERM);
    rig_.Envoy().ClearRequests();
    rig_.StartDaemon(rig_.BackendConfig(old_token, "poll_interval = 0.2\n"));
    ASSERT_TRUE(Serving()) << rig_.Output();
    EXPECT_EQ(rig_.Envoy().Count("/auth/check_jwt"), 1);
    EXPECT_NE(rig_.Output().find("using the refreshed token"), std::string::npos);
}

TEST_F(EnvoyAuthTest, MultiFactorAccountGetsOneClearMessage) {
    std::string token = Token(365 * 24h, "a");
    FakeEnlighten enlighten("owner@example.com", "hunter2", "unused");
    enlighten.SetMode(FakeEnlighten::Mode::MultiFactor);
    rig_.Envoy().SetTokens({"something else"});
    rig_.StartDaemon(rig_.BackendConfig(token, Login(enlighten)));
    ASSERT_TRUE(rig_.Daemon().process->WaitForOutput("multi-factor login", 10s)) << rig_.Output();
    std::this_thread::sleep_for(2s);
    auto output = rig_.Output();
    EXPECT_EQ(Occurrences(output, "multi-factor"), 1) << output;
    EXPECT_NE(output.find("paste a token by hand"), std::string::npos);
    EXPECT_NE(output.find(kReadme), std::string::npos);
    EXPECT_EQ(enlighten.Logins(), 1);
    EXPECT_EQ(enlighten.TokenRequests(), 0);
    EXPECT_EQ(rig_.Get("/rpc/EM.GetStatus?id=0").status, 503);
}

TEST_F(EnvoyAuthTest, WarnsBeforeTheTokenExpires) {
    std::string token = Token(5 * 24h + 1h, "a");
    rig_.StartDaemon(rig_.BackendConfig(token, ""));
    ASSERT_TRUE(Serving()) << rig_.Output();
    auto output = rig_.Output();
    EXPECT_EQ(Occurrences(output, "the Envoy token expires in 5 days"), 1) << output;
    EXPECT_NE(output.find(kReadme), std::string::npos);
}

TEST_F(EnvoyAuthTest, ExpiredTokenStopsReadingsAndPointsToTheReadme) {
    std::string token = Token(-2 * 24h, "a");
    rig_.StartDaemon(rig_.BackendConfig(token, "poll_interval = 0.2\n"));
    ASSERT_TRUE(rig_.Daemon().process->WaitForOutput("expired on", 10s)) << rig_.Output();
    std::this_thread::sleep_for(1s);
    auto output = rig_.Output();
    EXPECT_EQ(Occurrences(output, "expired on"), 1) << output;
    EXPECT_NE(output.find("<3>envoy: the Envoy token (token) expired on"), std::string::npos);
    EXPECT_NE(output.find(kReadme), std::string::npos);
    EXPECT_EQ(rig_.Envoy().Count("/ivp/meters/readings"), 0);
    EXPECT_EQ(rig_.Get("/rpc/EM.GetStatus?id=0").status, 503);
}

TEST_F(EnvoyAuthTest, NoTokenOnNewFirmwareSaysWhatToDo) {
    rig_.StartDaemon(rig_.BackendConfig("", ""));
    ASSERT_TRUE(rig_.Daemon().process->WaitForOutput("needs a token", 10s)) << rig_.Output();
    EXPECT_NE(rig_.Output().find(kReadme), std::string::npos);
}

TEST_F(EnvoyAuthTest, RenewsATokenWithFewerThan30DaysLeft) {
    std::string old_token = Token(20 * 24h, "old");
    std::string new_token = Token(365 * 24h, "new");
    FakeEnlighten enlighten("owner@example.com", "hunter2", new_token);
    rig_.StartDaemon(
        rig_.BackendConfig(old_token, Login(enlighten) + "serial = \"202439990001\"\n"));
    ASSERT_TRUE(Serving()) << rig_.Output();
    EXPECT_EQ(enlighten.TokenRequests(), 1);
    auto output = rig_.Output();
    EXPECT_EQ(Occurrences(output, "the Envoy token expires in 19 days"), 1) << output;
    EXPECT_NE(output.find("meteremu will fetch a new one from Enlighten"), std::string::npos);
    EXPECT_EQ(Occurrences(output, "fetched a new Envoy token from Enlighten"), 1);
    EXPECT_EQ(ReadFile(rig_.StateDirectory() / "envoy-token"), new_token + "\n");
}

TEST_F(EnvoyAuthTest, PicksUpANewTokenPastedIntoTokenFile) {
    std::string rejected = Token(365 * 24h, "rejected");
    std::string accepted = Token(365 * 24h, "accepted");
    rig_.Envoy().SetTokens({accepted});
    auto file = rig_.Dir().Write("envoy.token", rejected + "\n");
    rig_.StartDaemon(rig_.BackendConfig("", "token_file = \"" + file.string() + "\"\n"));
    ASSERT_TRUE(rig_.Daemon().process->WaitForOutput("the Envoy rejects the token", 10s))
        << rig_.Output();
    rig_.Dir().Write("envoy.token", accepted + "\n");
    ASSERT_TRUE(Serving()) << rig_.Output(); // re-read on the next attempt, 5 s later
    // The line may reach the captured output a moment after the first answer.
    rig_.Daemon().process->WaitForOutput(R"(using the token_file[\s\S]*using the token_file)", 5s);
    EXPECT_EQ(Occurrences(rig_.Output(), "using the token_file"), 2);
}

TEST_F(EnvoyAuthTest, MissingTokenFileIsReportedOnce) {
    rig_.StartDaemon(rig_.BackendConfig("", "token_file = \"/nonexistent/envoy.token\"\n"));
    ASSERT_TRUE(rig_.Daemon().process->WaitForOutput("needs a token", 10s)) << rig_.Output();
    EXPECT_EQ(Occurrences(rig_.Output(), "token_file /nonexistent/envoy.token does not exist"), 1);
    EXPECT_NE(rig_.Output().find(kReadme), std::string::npos);
}

} // namespace
} // namespace meteremu::test
