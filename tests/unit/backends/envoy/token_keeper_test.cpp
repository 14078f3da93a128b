// SPDX-License-Identifier: MIT
// TokenKeeper: which token is used (never one for another Envoy), when it asks for renewal,
// the two-step Enlighten login against a fake on loopback, and that no token, password or
// session id ever shows in a log line or an error text.
#include "backends/envoy/token_keeper.hpp"
#include "fakes/fake_enlighten.hpp"
#include "fakes/fake_envoy.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>

namespace meteremu::envoy {
namespace {

constexpr char kSerial[] = "202439990001";
constexpr char kPassword[] = "enlighten-secret-pw";
constexpr char kSession[] = "0123456789abcdef0123456789abcdef"; // the fake's

using Clock = std::chrono::system_clock;
using Days = std::chrono::duration<long long, std::ratio<86400>>;

class TokenKeeperTest : public testing::Test {
protected:
    std::string Jwt(double days, const std::string& serial = kSerial,
                    const std::string& jti = "1") const {
        return test::MakeJwt(now_ + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double, std::ratio<86400>>(days)),
                             serial, "owner", jti);
    }

    void SaveRefreshed(const std::string& token) const {
        std::ofstream(dir_.Path() / "envoy-token") << token << "\n";
    }

    void UseEnlighten(const test::FakeEnlighten& enlighten) {
        options_.username = "owner@example.com";
        options_.password = kPassword;
        options_.enlighten_url = enlighten.Url();
        options_.entrez_url = enlighten.Url();
    }

    /// Runs `body` with standard error captured; what the keeper logged.
    template <typename Body>
    std::string Logged(Body&& body) {
        testing::internal::CaptureStderr();
        body();
        return testing::internal::GetCapturedStderr();
    }

    test::TempDir dir_;
    EnvoyOptions options_;
    /// Whole seconds, as a JWT's exp: days left come out exact.
    Clock::time_point now_ = std::chrono::floor<std::chrono::seconds>(Clock::now());
    std::stop_source stop_;
};

TEST_F(TokenKeeperTest, UsesTheConfiguredTokenForItsEnvoy) {
    options_.token = "  " + Jwt(100) + "\n"; // pasted with blanks around it
    TokenKeeper keeper(options_, dir_.Path());
    const Token* token = keeper.Current(kSerial);
    ASSERT_TRUE(token);
    EXPECT_EQ(token->text, Jwt(100));
    EXPECT_EQ(token->origin, "token");
    EXPECT_EQ(token->claims.audience, kSerial);
    EXPECT_FALSE(keeper.ForAnotherEnvoy());
}

TEST_F(TokenKeeperTest, NeverReturnsATokenForAnotherSerial) {
    options_.token = Jwt(100, "111111111111");
    TokenKeeper keeper(options_, dir_.Path());
    EXPECT_EQ(keeper.Current(kSerial), nullptr);
    EXPECT_TRUE(keeper.ForAnotherEnvoy());
    // Not even when it expires later than one for this Envoy, which is used instead.
    SaveRefreshed(Jwt(50));
    const Token* token = keeper.Current(kSerial);
    ASSERT_TRUE(token);
    EXPECT_EQ(token->claims.audience, kSerial);
    EXPECT_FALSE(keeper.ForAnotherEnvoy());
    // A saved token for another Envoy is refused as well.
    options_.token.clear();
    SaveRefreshed(Jwt(300, "222222222222"));
    TokenKeeper fresh_start(options_, dir_.Path());
    EXPECT_EQ(fresh_start.Current(kSerial), nullptr);
    EXPECT_TRUE(fresh_start.ForAnotherEnvoy());
}

TEST_F(TokenKeeperTest, UsesWhicheverTokenExpiresLast) {
    options_.token = Jwt(100);
    SaveRefreshed(Jwt(300, kSerial, "saved"));
    TokenKeeper keeper(options_, dir_.Path());
    ASSERT_TRUE(keeper.Current(kSerial));
    EXPECT_EQ(keeper.Current(kSerial)->text, Jwt(300, kSerial, "saved"));
    EXPECT_NE(keeper.Current(kSerial)->origin.find("refreshed token"), std::string::npos);

    options_.token = Jwt(400); // the owner pastes a newer one
    EXPECT_EQ(keeper.Current(kSerial)->text, Jwt(400));
}

TEST_F(TokenKeeperTest, ReadsTokenFileAgainEveryTime) {
    auto file = dir_.Write("token", "");
    options_.token_file = file.string();
    TokenKeeper keeper(options_, dir_.Path());
    EXPECT_EQ(keeper.Current(kSerial), nullptr);
    std::ofstream(file) << Jwt(100) << "\n";
    ASSERT_TRUE(keeper.Current(kSerial));
    EXPECT_EQ(keeper.Current(kSerial)->text, Jwt(100));
    EXPECT_EQ(keeper.Current(kSerial)->origin, "token_file");
    std::ofstream(file) << Jwt(200, kSerial, "2") << "\n";
    EXPECT_EQ(keeper.Current(kSerial)->text, Jwt(200, kSerial, "2"));
}

TEST_F(TokenKeeperTest, AsksForRenewalUnderThirtyDaysOnlyWhenItCanRefresh) {
    test::FakeEnlighten enlighten("owner@example.com", kPassword, Jwt(365));
    UseEnlighten(enlighten);
    options_.token = Jwt(40);
    TokenKeeper keeper(options_, dir_.Path());
    ASSERT_TRUE(keeper.Current(kSerial));
    EXPECT_TRUE(keeper.CanRefresh());
    EXPECT_FALSE(keeper.CheckExpiry(now_));
    EXPECT_FALSE(keeper.CheckExpiry(now_ + Days(9))); // 31 days left
    EXPECT_TRUE(keeper.CheckExpiry(now_ + Days(11))); // 29 days left
    EXPECT_TRUE(keeper.CheckExpiry(now_ + Days(41))); // expired: renew
    EXPECT_EQ(enlighten.Logins(), 0) << "CheckExpiry only says so; the poller fetches";

    options_.username.clear();
    TokenKeeper manual(options_, dir_.Path());
    ASSERT_TRUE(manual.Current(kSerial));
    EXPECT_FALSE(manual.CanRefresh());
    EXPECT_FALSE(manual.CheckExpiry(now_ + Days(11)));
    EXPECT_FALSE(manual.CheckExpiry(now_ + Days(41)));
}

TEST_F(TokenKeeperTest, WarnsThirtySevenAndOneDayAheadOnceEach) {
    options_.token = Jwt(40);
    TokenKeeper keeper(options_, dir_.Path());
    ASSERT_TRUE(keeper.Current(kSerial));
    std::string log = Logged([&] {
        keeper.CheckExpiry(now_ + Days(5));                           // 35 days: nothing
        keeper.CheckExpiry(now_ + Days(11));                          // 29: the 30-day warning
        keeper.CheckExpiry(now_ + Days(12));                          // still under 30: not again
        keeper.CheckExpiry(now_ + Days(34));                          // 6: the 7-day warning
        keeper.CheckExpiry(now_ + Days(39) + std::chrono::hours(12)); // 0: the 1-day warning
    });
    std::size_t warnings = 0;
    for (auto at = log.find("expires in"); at != std::string::npos;
         at = log.find("expires in", at + 1))
        ++warnings;
    EXPECT_EQ(warnings, 3u) << log;
    EXPECT_NE(log.find("expires in 29 days"), std::string::npos) << log;
    EXPECT_NE(log.find("expires in 6 days"), std::string::npos) << log;
    EXPECT_NE(log.find("expires in 0 days"), std::string::npos) << log;
}

TEST_F(TokenKeeperTest, AnExpiredTokenIsStillReturnedAndReportedOnce) {
    options_.token = Jwt(-1);
    TokenKeeper keeper(options_, dir_.Path());
    const Token* token = keeper.Current(kSerial);
    ASSERT_TRUE(token) << "the caller decides: it does not send an expired token";
    EXPECT_LT(token->claims.expires_at, now_);
    std::string log = Logged([&] {
        keeper.ReportExpired();
        keeper.ReportExpired();
    });
    EXPECT_EQ(log.find("expired on"), log.rfind("expired on")) << log;
    EXPECT_NE(log.find("expired on " + FormatDate(token->claims.expires_at)), std::string::npos)
        << log;
}

TEST_F(TokenKeeperTest, FetchesATokenFromEnlightenInTwoStepsAndKeepsIt) {
    std::string fresh = Jwt(365, kSerial, "fresh");
    test::FakeEnlighten enlighten("owner@example.com", kPassword, fresh);
    UseEnlighten(enlighten);
    options_.token = Jwt(5);
    TokenKeeper keeper(options_, dir_.Path());
    ASSERT_TRUE(keeper.Current(kSerial));
    EXPECT_FALSE(keeper.RefreshStep(kSerial, stop_.get_token())) << "first the login";
    EXPECT_EQ(enlighten.Logins(), 1);
    EXPECT_EQ(enlighten.TokenRequests(), 0);
    EXPECT_TRUE(keeper.RefreshStep(kSerial, stop_.get_token())) << "then the token";
    EXPECT_EQ(enlighten.TokenRequests(), 1);
    EXPECT_EQ(enlighten.LastSerial(), kSerial);
    EXPECT_EQ(keeper.Current(kSerial)->text, fresh);

    auto saved = dir_.Path() / "envoy-token";
    EXPECT_EQ(test::ReadFile(saved), fresh + "\n");
    struct stat info {};
    ASSERT_EQ(stat(saved.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u) << "a secret: readable by the service only";
    // A restart finds it.
    TokenKeeper restarted(options_, dir_.Path());
    EXPECT_EQ(restarted.Current(kSerial)->text, fresh);
}

TEST_F(TokenKeeperTest, AskesEnlightenForTheConfiguredSerial) {
    test::FakeEnlighten enlighten("owner@example.com", kPassword, Jwt(365, "333333333333"));
    UseEnlighten(enlighten);
    options_.serial = "333333333333";
    TokenKeeper keeper(options_, dir_.Path());
    keeper.RefreshStep(kSerial, stop_.get_token());
    keeper.RefreshStep(kSerial, stop_.get_token());
    EXPECT_EQ(enlighten.LastSerial(), "333333333333");
}

TEST_F(TokenKeeperTest, AMultiFactorAccountTurnsRefreshingOffForGood) {
    test::FakeEnlighten enlighten("owner@example.com", kPassword, Jwt(365));
    enlighten.SetMode(test::FakeEnlighten::Mode::MultiFactor);
    UseEnlighten(enlighten);
    TokenKeeper keeper(options_, dir_.Path());
    ASSERT_TRUE(keeper.CanRefresh());
    try {
        keeper.RefreshStep(kSerial, stop_.get_token());
        FAIL() << "no error";
    } catch (const EnlightenError& error) {
        EXPECT_EQ(error.GetReason(), EnlightenError::Reason::MultiFactor);
    }
    EXPECT_FALSE(keeper.CanRefresh());
}

TEST_F(TokenKeeperTest, RefusedCredentialsAreReportedAndRetriedLater) {
    test::FakeEnlighten enlighten("owner@example.com", "another password", Jwt(365));
    UseEnlighten(enlighten);
    TokenKeeper keeper(options_, dir_.Path());
    try {
        keeper.RefreshStep(kSerial, stop_.get_token());
        FAIL() << "no error";
    } catch (const EnlightenError& error) {
        EXPECT_EQ(error.GetReason(), EnlightenError::Reason::BadCredentials);
        EXPECT_EQ(std::string(error.what()).find(kPassword), std::string::npos);
    }
    EXPECT_TRUE(keeper.CanRefresh());
}

TEST_F(TokenKeeperTest, NoSecretInAnyLogLineOrErrorText) {
    std::string mismatched = Jwt(100, "111111111111");
    std::string expired = Jwt(-1, kSerial, "old");
    std::string fresh = Jwt(365, kSerial, "fresh");
    std::string not_a_jwt = "secret-but-not-a-jwt-4f9c";
    std::string undecodable = "eyJzZWNyZXQ.c2VjcmV0LXBheWxvYWQ.c2ln"; // looks like one, is not
    test::FakeEnlighten enlighten("owner@example.com", kPassword, fresh);
    UseEnlighten(enlighten);
    std::string errors;
    std::string log = Logged([&] {
        options_.token = mismatched;
        TokenKeeper keeper(options_, dir_.Path());
        keeper.Current(kSerial);
        options_.token = not_a_jwt;
        keeper.Current(kSerial);
        options_.token = expired;
        keeper.Current(kSerial);
        keeper.CheckExpiry(now_);
        keeper.ReportExpired();
        keeper.RefreshStep(kSerial, stop_.get_token());
        keeper.RefreshStep(kSerial, stop_.get_token());
        keeper.Current(kSerial);
        enlighten.SetMode(test::FakeEnlighten::Mode::ErrorPage);
        for (int i = 0; i < 4; ++i) {
            if (i == 2) {
                enlighten.SetMode(test::FakeEnlighten::Mode::Normal);
                enlighten.SetToken(undecodable);
            }
            try {
                keeper.RefreshStep(kSerial, stop_.get_token());
            } catch (const std::exception& error) {
                errors += std::string(error.what()) + "\n";
            }
        }
    });
    ASSERT_NE(log.find("is for Envoy 111111111111"), std::string::npos) << log;
    ASSERT_NE(log.find("not a usable Envoy token"), std::string::npos) << log;
    ASSERT_NE(log.find("fetched a new Envoy token"), std::string::npos) << log;
    ASSERT_NE(errors.find("something else than a token"), std::string::npos) << errors;
    ASSERT_NE(errors.find("the new token is unusable"), std::string::npos) << errors;
    for (const std::string& secret : {mismatched, expired, fresh, not_a_jwt, undecodable,
                                      std::string(kPassword), std::string(kSession)}) {
        EXPECT_EQ(log.find(secret), std::string::npos) << "logged: " << secret;
        EXPECT_EQ(errors.find(secret), std::string::npos) << "in an error: " << secret;
    }
}

} // namespace
} // namespace meteremu::envoy
