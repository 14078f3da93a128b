// SPDX-License-Identifier: MIT
// Which gateway gets the token, and what a refused token leads to, one Poll at a time on a
// scripted Envoy (docs/protocols/envoy.md#failure-modes, README "Gateway pinning"): a gateway
// with another certificate key or serial gets no token and its readings are not used; a
// token for another Envoy or an expired one is never sent; a refused token backs off or is
// replaced from Enlighten (a fake on loopback).
#include "envoy_poller_fixture.hpp"
#include "fakes/fake_enlighten.hpp"

namespace meteremu::envoy {
namespace {

using Paths = std::vector<std::string>;

constexpr char kImpostorKey[] = "sha256//impostor-key";

/// Every request since `from` went to /info without a token.
void ExpectOnlyInfoWithoutToken(const test::FakeEnvoyConnection& envoy, std::size_t from = 0) {
    for (std::size_t i = from; i < envoy.Requests().size(); ++i) {
        EXPECT_EQ(envoy.Requests()[i].path, "/info") << "request " << i;
        EXPECT_EQ(envoy.Requests()[i].bearer, "") << "request " << i << " carried the token";
    }
}

TEST_F(EnvoyPollerTest, AnotherCertificateKeyAfterPinningGetsNoTokenAndNoReading) {
    ServeSite();
    for (int i = 0; i < 4; ++i)
        Step();
    auto published = View().generation;
    envoy().SetServerKey(kImpostorKey);
    std::size_t impostor_from = envoy().Requests().size();

    Advance(Seconds(1.0));
    EXPECT_EQ(Step(), 0.0) << "a data connection met another key: ask /info at once";
    for (int i = 0; i < 6; ++i) {
        EXPECT_GT(Step(), 0.0) << "backs off while the impostor answers";
        Advance(Seconds(10.0));
    }
    ASSERT_GT(envoy().Requests().size(), impostor_from);
    ExpectOnlyInfoWithoutToken(envoy(), impostor_from);
    EXPECT_EQ(View().generation, published) << "no reading from the impostor";
    EXPECT_EQ(envoy().Pinned(), "sha256//trusted-key");
    EXPECT_EQ(LoadGatewayPin(GatewayPinPath(dir_.Path()))->key, "sha256//trusted-key");
    EXPECT_NE(poller().GetHealth().Summary().find("envoy is not the trusted gateway since"),
              std::string::npos)
        << poller().GetHealth().Summary();

    // The trusted gateway is back: the token is checked again (the session was dropped).
    envoy().SetServerKey("sha256//trusted-key");
    std::size_t back_from = envoy().Requests().size();
    EXPECT_EQ(Step(), 0.0);
    EXPECT_EQ(Step(), 0.0);
    EXPECT_EQ(Step(), 0.0);
    EXPECT_EQ(Step(), 1.0);
    Paths paths = envoy().Paths();
    EXPECT_EQ(Paths(paths.begin() + static_cast<long>(back_from), paths.end()),
              (Paths{"/info", "/auth/check_jwt", "/ivp/meters", "/ivp/meters/readings"}));
    EXPECT_EQ(View().generation, published + 1);
}

TEST_F(EnvoyPollerTest, APinnedGatewayWithAnotherKeyIsNeverSentTheToken) {
    SaveGatewayPin(GatewayPinPath(dir_.Path()), {kSiteSerial, "sha256//old-key"});
    ServeSite();
    for (int i = 0; i < 5; ++i)
        EXPECT_GT(Step(), 0.0);
    ExpectOnlyInfoWithoutToken(envoy());
    EXPECT_FALSE(View().reading);
    EXPECT_EQ(LoadGatewayPin(GatewayPinPath(dir_.Path()))->key, "sha256//old-key");
}

TEST_F(EnvoyPollerTest, AnotherSerialThanConfiguredIsNeverSentTheTokenNorPinned) {
    options_.serial = "999999999999";
    ServeSite();
    for (int i = 0; i < 5; ++i)
        EXPECT_GT(Step(), 0.0);
    ExpectOnlyInfoWithoutToken(envoy());
    EXPECT_FALSE(View().reading);
    EXPECT_FALSE(LoadGatewayPin(GatewayPinPath(dir_.Path())));
}

TEST_F(EnvoyPollerTest, ATokenForAnotherEnvoyIsNeverSent) {
    options_.token = test::MakeJwt(wall_ + std::chrono::hours(24 * 365), "111111111111");
    ServeSite();
    EXPECT_EQ(Step(), 0.0);
    EXPECT_EQ(Step(), 60.0) << "token_file is looked at again every minute";
    EXPECT_EQ(Step(), 60.0);
    ExpectOnlyInfoWithoutToken(envoy());
    EXPECT_EQ(poller().GetHealth().Summary(), "envoy: needs a token (see README)");
}

TEST_F(EnvoyPollerTest, AnExpiredTokenIsNotSent) {
    options_.token = test::MakeJwt(wall_ - std::chrono::hours(24), kSiteSerial);
    ServeSite();
    EXPECT_EQ(Step(), 0.0);
    EXPECT_EQ(Step(), 60.0);
    ExpectOnlyInfoWithoutToken(envoy());
    EXPECT_EQ(poller().GetHealth().Summary(), "envoy: token expired (see README)");
    EXPECT_FALSE(View().reading);
}

TEST_F(EnvoyPollerTest, ARefusedTokenBacksOffExponentially) {
    ServeSite();
    envoy().AcceptOnly("a token meteremu does not have");
    EXPECT_EQ(Step(), 0.0);
    EXPECT_EQ(Step(), 5.0);
    EXPECT_EQ(Step(), 10.0);
    EXPECT_EQ(Step(), 20.0);
    EXPECT_EQ(envoy().Paths(),
              (Paths{"/info", "/auth/check_jwt", "/auth/check_jwt", "/auth/check_jwt"}));
    EXPECT_FALSE(View().reading);
    EXPECT_NE(poller().GetHealth().Summary().find("envoy rejects the token since"),
              std::string::npos);
}

TEST_F(EnvoyPollerTest, A401OnReadingsChecksTheTokenAgainOnceAtOnce) {
    ServeSite();
    for (int i = 0; i < 4; ++i)
        Step();
    envoy().Fail("/ivp/meters/readings", ErrorKind::Auth);
    EXPECT_EQ(Step(), 0.0);
    EXPECT_EQ(Step(), 0.0);
    EXPECT_EQ(Step(), 5.0) << "a second 401 after the token was accepted: back off";
    Paths paths = envoy().Paths();
    EXPECT_EQ(Paths(paths.begin() + 4, paths.end()),
              (Paths{"/ivp/meters/readings", "/auth/check_jwt", "/ivp/meters/readings"}));
}

TEST_F(EnvoyPollerTest, ARefusedTokenIsReplacedFromEnlighten) {
    // Later than the configured one, so that it is the one used.
    std::string fresh =
        test::MakeJwt(wall_ + std::chrono::hours(24 * 400), kSiteSerial, "owner", "fresh");
    test::FakeEnlighten enlighten("owner@example.com", "enlighten-secret", fresh);
    options_.username = "owner@example.com";
    options_.password = "enlighten-secret";
    options_.enlighten_url = enlighten.Url();
    options_.entrez_url = enlighten.Url();
    ServeSite();
    envoy().AcceptOnly(fresh);
    EXPECT_EQ(Step(), 0.0); // /info
    EXPECT_EQ(Step(), 0.0); // the configured token is refused: fetch another
    EXPECT_EQ(Step(), 0.0); // log in to Enlighten
    EXPECT_EQ(enlighten.Logins(), 1);
    EXPECT_EQ(Step(), 0.0); // ask for a token for this Envoy
    EXPECT_EQ(enlighten.TokenRequests(), 1);
    EXPECT_EQ(enlighten.LastSerial(), kSiteSerial);
    EXPECT_EQ(Step(), 0.0); // the new token is accepted
    EXPECT_EQ(envoy().Requests().back().bearer, fresh);
    EXPECT_EQ(Step(), 0.0);
    EXPECT_EQ(Step(), 1.0);
    EXPECT_TRUE(View().reading);
    EXPECT_EQ(test::ReadFile(dir_.Path() / "envoy-token"), fresh + "\n") << "kept for restarts";
}

} // namespace
} // namespace meteremu::envoy
