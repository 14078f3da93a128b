// SPDX-License-Identifier: MIT
// What the Envoy poller tells the status page: the gateway's firmware and CT setup, who the
// token belongs to (masked) and when it expires, the latest problem and since when, and every
// request to the gateway counted by result.
#include "envoy_poller_fixture.hpp"

namespace meteremu::envoy {
namespace {

std::uint64_t Count(const SourceFacts& facts, RequestResult result) {
    return facts.requests ? facts.requests->by_result[static_cast<std::size_t>(result)] : 0;
}

TEST_F(EnvoyPollerTest, FactsNameTheFirmwareTheSetupAndTheTokenButNeverTheToken) {
    ServeSite();
    EXPECT_EQ(poller().Facts().address, "192.0.2.10");
    EXPECT_EQ(poller().Facts().firmware, "") << "unknown before /info";
    for (int i = 0; i < 4; ++i)
        Step();
    SourceFacts facts = poller().Facts();
    EXPECT_EQ(facts.kind, "envoy");
    EXPECT_EQ(facts.firmware, "D8.3.5169");
    EXPECT_EQ(facts.ct_setup.rfind("net-consumption CT, ", 0), 0u) << facts.ct_setup;
    EXPECT_EQ(facts.token_holder, "o***@example.com") << "the token's username, masked";
    ASSERT_TRUE(facts.token_expires);
    EXPECT_EQ(std::chrono::floor<std::chrono::seconds>(*facts.token_expires),
              std::chrono::floor<std::chrono::seconds>(wall_ + std::chrono::hours(24 * 365)));
    EXPECT_EQ(facts.last_error, "");
    EXPECT_FALSE(facts.last_error_at);
    // /info, /auth/check_jwt, /ivp/meters, /ivp/meters/readings.
    EXPECT_EQ(Count(facts, RequestResult::Ok), 4u);
    EXPECT_EQ(facts.requests->Count(), 4u);
    for (const std::string& text : {facts.token_holder, facts.last_error, facts.ct_setup})
        EXPECT_EQ(text.find(options_.token), std::string::npos);
}

TEST_F(EnvoyPollerTest, AFaultIsTheLastErrorSinceItsStartAndStaysWhenItIsOver) {
    ServeSite();
    for (int i = 0; i < 4; ++i)
        Step();
    WallTime before = std::chrono::system_clock::now();
    envoy().Fail("/ivp/meters/readings", ErrorKind::Unreachable);
    Step();
    Advance(Seconds(60));
    Step();
    SourceFacts facts = poller().Facts();
    EXPECT_EQ(facts.last_error.rfind("cannot reach the Envoy: ", 0), 0u) << facts.last_error;
    EXPECT_FALSE(facts.last_error.ends_with("; retrying")) << "the log's words, not the page's";
    ASSERT_TRUE(facts.last_error_at);
    EXPECT_GE(*facts.last_error_at, before) << "the start of the run, not the latest failure";
    EXPECT_LE(*facts.last_error_at, std::chrono::system_clock::now());
    EXPECT_FALSE(facts.last_error_cleared) << "still failing";
    EXPECT_EQ(Count(facts, RequestResult::Unreachable), 2u);

    ServeSite();
    Step();
    facts = poller().Facts();
    EXPECT_EQ(facts.last_error.rfind("cannot reach the Envoy: ", 0), 0u) << "kept when over";
    ASSERT_TRUE(facts.last_error_cleared);
    EXPECT_EQ(*facts.last_error_cleared, wall_);
    EXPECT_EQ(Count(facts, RequestResult::Ok), 5u);
}

TEST_F(EnvoyPollerTest, RequestsAreCountedByWhatCameBack) {
    ServeSite();
    for (int i = 0; i < 4; ++i)
        Step();
    envoy().Serve("/ivp/meters/readings", R"([{"eid":1}])"); // JSON, but not a reading
    Step();
    envoy().Fail("/ivp/meters/readings", ErrorKind::Auth);
    Step();
    envoy().Fail("/ivp/meters/readings", ErrorKind::Server);
    Step(); // the token check after the 401
    Step();
    SourceFacts facts = poller().Facts();
    EXPECT_EQ(Count(facts, RequestResult::BadReply), 1u);
    EXPECT_EQ(Count(facts, RequestResult::Refused), 1u);
    EXPECT_EQ(Count(facts, RequestResult::HttpError), 1u);
    EXPECT_EQ(Count(facts, RequestResult::Ok), 5u) << "the four of the setup and the token check";
    EXPECT_EQ(facts.requests->Count(), 8u);
}

TEST_F(EnvoyPollerTest, WithoutATokenThePageSaysTheEnvoyNeedsOne) {
    options_.token.clear();
    ServeSite();
    Step();
    Step();
    SourceFacts facts = poller().Facts();
    EXPECT_EQ(facts.last_error, "the Envoy needs a token");
    EXPECT_TRUE(facts.last_error_at);
    EXPECT_EQ(facts.token_holder, "");
    EXPECT_FALSE(facts.token_expires);
}

TEST(EnvoyFactsTest, ResultsFollowTheStatusThenTheKind) {
    EXPECT_EQ(ResultOf(EnvoyError(ErrorKind::Unreachable, "x", 0, true)), RequestResult::Timeout);
    EXPECT_EQ(ResultOf(EnvoyError(ErrorKind::Unreachable, "x")), RequestResult::Unreachable);
    EXPECT_EQ(ResultOf(EnvoyError(ErrorKind::Auth, "x", 403)), RequestResult::Refused);
    EXPECT_EQ(ResultOf(EnvoyError(ErrorKind::Missing, "x", 404)), RequestResult::HttpError);
    EXPECT_EQ(ResultOf(EnvoyError(ErrorKind::Server, "x", 503)), RequestResult::HttpError);
    EXPECT_EQ(ResultOf(EnvoyError(ErrorKind::BadData, "x", 400)), RequestResult::HttpError)
        << "an odd status is an error answer, not bad data";
    EXPECT_EQ(ResultOf(EnvoyError(ErrorKind::BadData, "x")), RequestResult::BadReply);
    EXPECT_EQ(ResultOf(EnvoyError(ErrorKind::Untrusted, "x")), RequestResult::Untrusted);
}

TEST(EnvoyFactsTest, TheTokenHolderIsTheAccountMaskedOrWhereTheTokenComesFrom) {
    EnvoyOptions options;
    Token token{"secret", {}, "token_file"};
    EXPECT_EQ(TokenHolder(token, options), "token file");
    token.origin = "token";
    EXPECT_EQ(TokenHolder(token, options), "configuration");
    token.origin = "refreshed token in /var/lib/meteremu/envoy-token";
    options.username = "jane.doe@example.com";
    EXPECT_EQ(TokenHolder(token, options), "j***@example.com");
    token.claims.username = "owner@example.com";
    EXPECT_EQ(TokenHolder(token, options), "o***@example.com") << "the token's own claim first";
}

TEST(EnvoyFactsTest, TheCtSetupInAFewWords) {
    MeterSetup setup;
    EXPECT_EQ(CtSetupText(setup), "");
    setup.reason = "no CTs";
    EXPECT_EQ(CtSetupText(setup), "no grid measurement: no CTs");
    setup.source = GridSource::TotalConsumption;
    setup.consumption = MeterEntry{704643584, "total-consumption", true, "three", 3, "normal", {}};
    setup.phase_count = 1;
    EXPECT_EQ(CtSetupText(setup), "total-consumption CT, 1 phase (grid = consumption - "
                                  "production; energy counted by meteremu)");
}

} // namespace
} // namespace meteremu::envoy
