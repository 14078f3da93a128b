// SPDX-License-Identifier: MIT
// The status page when the gateway fails: the fake Envoy goes away, and /status.json says
// what the journal says (unreachable since when), that the reading is stale and that the
// Shelly's polls are withheld, then that all is well again. And the source's facts: firmware,
// token holder (masked) and expiry on the page and in /metrics, the token itself never.
#include "integration/envoy_support.hpp"
#include "util/json.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace meteremu::test {
namespace {

using namespace std::chrono_literals;

/// The document, parsed; null when the page does not answer.
JsonPtr StatusDocument(const EnvoyRig& rig) {
    HttpResult result = rig.Get("/status.json");
    if (result.status != 200) return nullptr;
    json_error_t error;
    return JsonPtr(json_loads(result.body.c_str(), 0, &error));
}

std::string Health(json_t* document) {
    const char* text =
        json_string_value(json_object_get(json_object_get(document, "source"), "health"));
    return text ? text : "";
}

/// A string of the document's `source`; "" when absent.
std::string SourceText(json_t* document, const char* key) {
    const char* text = json_string_value(json_object_get(json_object_get(document, "source"), key));
    return text ? text : "";
}

/// A Unix time of the document's `source`; nullopt when absent or null.
std::optional<long long> SourceTime(json_t* document, const char* key) {
    json_t* value = json_object_get(json_object_get(document, "source"), key);
    if (!json_is_integer(value)) return std::nullopt;
    return json_integer_value(value);
}

long long UnixNow() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string Serving(json_t* document) {
    json_t* frontend = json_array_get(json_object_get(document, "frontends"), 0);
    const char* text = json_string_value(json_object_get(frontend, "serving"));
    return text ? text : "";
}

TEST(StatusPageEnvoyTest, AnUnreachableGatewayIsNamedWithSinceWhenAndThePollsWithheld) {
    EnvoyRig rig(EnvoyFolder("8.3.5169_with_generator"));
    rig.StartDaemon(rig.BackendConfig(YearToken(), "poll_interval = 0.5\nstale_after = 2\n"));
    ASSERT_TRUE(WaitUntil(
        [&] {
            JsonPtr document = StatusDocument(rig);
            return document && Serving(document.get()) == "fresh";
        },
        10s))
        << rig.Output();

    rig.Envoy().SetDown(true);
    std::string health;
    ASSERT_TRUE(WaitUntil(
        [&] {
            JsonPtr document = StatusDocument(rig);
            if (!document) return false;
            health = Health(document.get());
            return health.find("unreachable since ") != std::string::npos &&
                   Serving(document.get()) == "withheld";
        },
        15s))
        << "the page never said so; health \"" << health << "\"\n"
        << rig.Output();
    // The journal's line for the same fault.
    EXPECT_NE(rig.Output().find("cannot reach the Envoy"), std::string::npos) << rig.Output();

    rig.Envoy().SetDown(false);
    EXPECT_TRUE(WaitUntil(
        [&] {
            JsonPtr document = StatusDocument(rig);
            return document && Serving(document.get()) == "fresh" &&
                   Health(document.get()).find("unreachable") == std::string::npos;
        },
        15s))
        << rig.Output();
}

/// The first document for which `condition` holds within `timeout`; null when none does.
JsonPtr WaitForDocument(const EnvoyRig& rig, const std::function<bool(json_t*)>& condition,
                        std::chrono::milliseconds timeout) {
    JsonPtr found;
    bool held = WaitUntil(
        [&] {
            found = StatusDocument(rig);
            return found && condition(found.get());
        },
        timeout);
    return held ? std::move(found) : nullptr;
}

/// Starts the daemon on the rig's Envoy with `token`; the document once readings are fresh.
JsonPtr StartFresh(EnvoyRig& rig, const std::string& token) {
    rig.StartDaemon(rig.BackendConfig(token, "poll_interval = 0.5\nstale_after = 2\n"));
    return WaitForDocument(
        rig, [](json_t* document) { return Serving(document) == "fresh"; }, 10s);
}

void ExpectGatewayFacts(json_t* document, const std::string& host) {
    EXPECT_EQ(SourceText(document, "kind"), "envoy");
    EXPECT_EQ(SourceText(document, "address"), host);
    EXPECT_EQ(SourceText(document, "firmware"), "D8.3.5169");
    EXPECT_NE(SourceText(document, "ct_setup").find("CT"), std::string::npos);
    EXPECT_EQ(SourceText(document, "token_holder"), "o***@example.com") << "masked";
}

void ExpectTokenExpiry(json_t* document, const std::string& metrics) {
    auto expires = SourceTime(document, "token_expires_at");
    ASSERT_TRUE(expires);
    EXPECT_NEAR(static_cast<double>(*expires - UnixNow()), 365.0 * 86400, 60.0);
    std::string gauge =
        "meteremu_token_expiry_timestamp_seconds " + std::to_string(*expires) + "\n";
    EXPECT_NE(metrics.find(gauge), std::string::npos) << metrics;
}

/// Not the token, nor any of its parts, nor the account's address unmasked.
void ExpectNoSecret(const std::string& text, const std::string& token) {
    std::string payload = token.substr(token.find('.') + 1);
    payload = payload.substr(0, payload.find('.'));
    for (const std::string& secret : {token, payload, std::string("owner@example.com")})
        EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in\n" << text;
}

TEST(StatusPageEnvoyTest, TheSourceFactsShowFirmwareAndTokenHolderButNeverTheToken) {
    EnvoyRig rig(EnvoyFolder("8.3.5169_with_generator"));
    std::string token = YearToken();
    JsonPtr document = StartFresh(rig, token);
    ASSERT_TRUE(document) << rig.Output();
    ExpectGatewayFacts(document.get(), rig.Envoy().Host());
    std::string metrics = rig.Get("/metrics").body;
    ExpectTokenExpiry(document.get(), metrics);
    EXPECT_NE(metrics.find("meteremu_backend_requests_total{result=\"ok\"} "), std::string::npos);
    EXPECT_NE(metrics.find("meteremu_backend_request_duration_seconds_count "), std::string::npos);
    ExpectNoSecret(rig.Get("/status.json").body, token);
    ExpectNoSecret(metrics, token);
}

TEST(StatusPageEnvoyTest, AGatewayFaultIsTheLastErrorWithItsTimeUntilItIsOver) {
    EnvoyRig rig(EnvoyFolder("8.3.5169_with_generator"));
    JsonPtr before = StartFresh(rig, YearToken());
    ASSERT_TRUE(before) << rig.Output();
    EXPECT_EQ(SourceText(before.get(), "last_error"), "") << "no problem yet";

    long long down_at = UnixNow();
    rig.Envoy().SetDown(true);
    JsonPtr failing = WaitForDocument(
        rig,
        [](json_t* document) {
            return SourceText(document, "last_error").starts_with("cannot reach the Envoy");
        },
        15s);
    ASSERT_TRUE(failing) << rig.Output();
    auto since = SourceTime(failing.get(), "last_error_at");
    ASSERT_TRUE(since);
    EXPECT_GE(*since, down_at - 1);
    EXPECT_LE(*since, UnixNow() + 1);
    EXPECT_FALSE(SourceTime(failing.get(), "last_error_cleared_at")) << "still failing";
    std::string none = "meteremu_backend_requests_total{result=\"unreachable\"} 0\n";
    EXPECT_EQ(rig.Get("/metrics").body.find(none), std::string::npos) << "counted";

    rig.Envoy().SetDown(false);
    JsonPtr after = WaitForDocument(
        rig,
        [](json_t* document) { return SourceTime(document, "last_error_cleared_at").has_value(); },
        15s);
    ASSERT_TRUE(after) << rig.Output();
    EXPECT_EQ(SourceTime(after.get(), "last_error_at"), since) << "the problem is still told";
    EXPECT_GE(SourceTime(after.get(), "last_error_cleared_at").value_or(0), *since);
}

} // namespace
} // namespace meteremu::test
