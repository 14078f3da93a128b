// SPDX-License-Identifier: MIT
// Enlighten's answers (docs/protocols/envoy.md#enlighten-token-refresh): a session, an MFA account,
// refused logins, tokens and the error pages Entrez sends instead of them.
#include "backends/envoy/enlighten.hpp"
#include "fakes/fake_envoy.hpp"
#include "util/percent_encode.hpp"

#include <gtest/gtest.h>

namespace meteremu::envoy {
namespace {

using Reason = EnlightenError::Reason;

Reason ReasonOf(auto&& call) {
    try {
        call();
    } catch (const EnlightenError& error) {
        return error.GetReason();
    }
    ADD_FAILURE() << "no EnlightenError";
    return Reason::Failed;
}

TEST(EnlightenTest, ReadsTheSessionOfALogin) {
    EXPECT_EQ(ParseLoginReply(200, R"({"message":"success","session_id":"abc","manager_token":"x",
        "system_id":"1","redirect_url":""})"),
              "abc");
}

TEST(EnlightenTest, TellsMultiFactorAccountsAndBadLoginsApart) {
    EXPECT_EQ(ReasonOf([] { ParseLoginReply(200, R"({"success":true,"isBlocked":false})"); }),
              Reason::MultiFactor);
    EXPECT_EQ(ReasonOf([] { ParseLoginReply(401, "{}"); }), Reason::BadCredentials);
    EXPECT_EQ(ReasonOf([] { ParseLoginReply(500, "oops"); }), Reason::Failed);
    EXPECT_EQ(ReasonOf([] { ParseLoginReply(200, "<html>maintenance</html>"); }), Reason::Failed);
}

TEST(EnlightenTest, AcceptsOnlyAJwtAsToken) {
    std::string token =
        test::MakeJwt(std::chrono::system_clock::now() + std::chrono::hours(24 * 365), "1");
    EXPECT_EQ(ParseTokenReply(200, token + "\n"), token);
    EXPECT_EQ(ReasonOf([] { ParseTokenReply(200, "Error in generating Token"); }), Reason::Failed);
    EXPECT_EQ(ReasonOf([] { ParseTokenReply(200, "eyJnotajwt"); }), Reason::Failed);
    EXPECT_EQ(ReasonOf([&] { ParseTokenReply(502, token); }), Reason::Failed);
}

TEST(EnlightenTest, EscapesFormFields) {
    EXPECT_EQ(PercentEncode("a+b@c.d &=[]"), "a%2Bb%40c.d%20%26%3D%5B%5D");
}

} // namespace
} // namespace meteremu::envoy
