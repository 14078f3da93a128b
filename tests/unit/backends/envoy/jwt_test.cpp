// SPDX-License-Identifier: MIT
// Decoding Envoy tokens locally; errors never repeat the token.
#include "backends/envoy/envoy_error.hpp"
#include "backends/envoy/jwt.hpp"
#include "fakes/fake_envoy.hpp"
#include "util/base64.hpp"

#include <gtest/gtest.h>

namespace meteremu::envoy {
namespace {

using std::chrono::system_clock;

TEST(JwtTest, DecodesTheClaimsOfAnOwnerToken) {
    auto expires = system_clock::time_point(std::chrono::seconds(1719933017));
    std::string token = test::MakeJwt(expires, "202439990001");
    JwtClaims claims = DecodeJwt(token);
    EXPECT_EQ(claims.expires_at, expires);
    ASSERT_TRUE(claims.issued_at.has_value());
    EXPECT_EQ(expires - *claims.issued_at, std::chrono::seconds(31536000));
    EXPECT_EQ(claims.user_type, "owner");
    EXPECT_EQ(claims.audience, "202439990001");
}

TEST(JwtTest, Base64UrlRoundTripsEveryLength) {
    EXPECT_EQ(Base64UrlDecode("eyJhIjoxfQ"), std::optional<std::string>(R"({"a":1})"));
    EXPECT_EQ(Base64UrlDecode("Zg"), std::optional<std::string>("f"));
    EXPECT_EQ(Base64UrlDecode("Zm8"), std::optional<std::string>("fo"));
    EXPECT_EQ(Base64UrlDecode("Zm9v"), std::optional<std::string>("foo"));
    EXPECT_EQ(Base64UrlDecode("Zm9vYg=="), std::optional<std::string>("foob"));
    EXPECT_EQ(Base64UrlDecode("-_8"), std::optional<std::string>("\xfb\xff"));
    EXPECT_FALSE(Base64UrlDecode("ab+c").has_value());
    EXPECT_FALSE(Base64UrlDecode("abcde").has_value());
    for (std::string bytes : {"", "f", "fo", "foo", "\xfb\xff\xfe"})
        EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(bytes)), bytes);
}

TEST(JwtTest, RejectsMalformedTokensWithoutQuotingThem) {
    const std::string secretish = "eyJzZWNyZXQiOiJ0b3Agc2VjcmV0In0";
    for (const std::string& token :
         {std::string(""), secretish, secretish + "." + secretish, secretish + ".!!!.x",
          std::string("a.b.c.d"), "eyJhbGciOiJFUzI1NiJ9." + secretish + ".sig"}) {
        try {
            DecodeJwt(token);
            ADD_FAILURE() << "accepted " << token;
        } catch (const EnvoyError& error) {
            EXPECT_EQ(std::string(error.what()).find(secretish), std::string::npos) << error.what();
        }
    }
}

TEST(JwtTest, TimesBeyondTheClockAreHeldAtItsEnd) {
    // Found by fuzzing: an exp past 2262 overflowed the clock's nanoseconds.
    auto claims = [](const std::string& payload) {
        return DecodeJwt("eyJhbGciOiJFUzI1NiJ9." + Base64UrlEncode(payload) + ".sig");
    };
    auto far = claims(R"({"exp":9767225600,"iat":1e300})");
    EXPECT_GT(far.expires_at, system_clock::time_point(std::chrono::seconds(8000000000)));
    EXPECT_EQ(*far.issued_at, far.expires_at);
    EXPECT_EQ(claims(R"({"exp":-5})").expires_at, system_clock::time_point());
    EXPECT_EQ(claims(R"({"exp":1719933017.9})").expires_at,
              system_clock::time_point(std::chrono::seconds(1719933017)));
}

TEST(JwtTest, TrimsAPastedToken) {
    EXPECT_EQ(TrimToken("  eyJ.a.b\n"), "eyJ.a.b");
    EXPECT_EQ(TrimToken("\n\t "), "");
}

} // namespace
} // namespace meteremu::envoy
