// SPDX-License-Identifier: MIT
// The source's facts on the status page: their keys in /status.json (parsed back as the page
// reads them) and their series in /metrics, which Prometheus' own linter must accept.
#include "status/metrics_text.hpp"
#include "status/status_json.hpp"
#include "support/daemon_process.hpp"
#include "support/temp_dir.hpp"
#include "util/json.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace meteremu {
namespace {

using namespace std::chrono_literals;

constexpr WallTime kErrorAt{std::chrono::seconds(1767225600)}; // 2026-01-01 00:00 UTC
constexpr WallTime kExpires{std::chrono::seconds(1798761600)}; // 2027-01-01 00:00 UTC
constexpr char kPromtool[] = "/usr/bin/promtool";

StatusFacts Facts() {
    StatusFacts facts;
    facts.version = "0.1.0";
    facts.source_describe = "the Envoy at 192.168.1.10";
    facts.source_health = "envoy unreachable since 01:00, retrying in 2 s";
    SourceFacts& source = facts.source;
    source.kind = "envoy";
    source.address = "192.168.1.10";
    source.firmware = "D8.3.5169";
    source.ct_setup = "net-consumption CT, 3 phases";
    source.last_error = "cannot reach the Envoy: https://192.168.1.10/ivp/meters/readings";
    source.last_error_at = kErrorAt;
    source.token_holder = "jane.doe@example.com"; // unmasked by mistake: the page masks it
    source.token_expires = kExpires;
    RequestStats requests;
    requests.Record(RequestResult::Ok, 4ms);   // bucket 0.005
    requests.Record(RequestResult::Ok, 120ms); // bucket 0.25
    requests.Record(RequestResult::Ok, 1s);    // bucket 1 (the bound is inclusive)
    requests.Record(RequestResult::Timeout, 5s);
    requests.Record(RequestResult::Refused, 30ms);
    requests.Record(RequestResult::BadReply, 12s); // past the last bound
    source.requests = requests;
    return facts;
}

JsonPtr Source(const StatusFacts& facts) {
    std::string text = RenderStatusJson(facts);
    json_error_t error;
    JsonPtr root(json_loads(text.c_str(), 0, &error));
    EXPECT_TRUE(root) << error.text << "\n" << text;
    return JsonPtr(json_incref(json_object_get(root.get(), "source")));
}

std::string Text(json_t* object, const char* key) {
    const char* text = json_string_value(json_object_get(object, key));
    return text ? text : "(not a string)";
}

TEST(SourceFactsJsonTest, TheSourceKeysSayWhatTheBackendKnows) {
    JsonPtr source = Source(Facts());
    ASSERT_TRUE(source);
    EXPECT_EQ(Text(source.get(), "describe"), "the Envoy at 192.168.1.10"); // the old keys stay
    EXPECT_EQ(Text(source.get(), "health").substr(0, 17), "envoy unreachable");
    EXPECT_EQ(Text(source.get(), "kind"), "envoy");
    EXPECT_EQ(Text(source.get(), "address"), "192.168.1.10");
    EXPECT_EQ(Text(source.get(), "firmware"), "D8.3.5169");
    EXPECT_EQ(Text(source.get(), "ct_setup"), "net-consumption CT, 3 phases");
    EXPECT_EQ(Text(source.get(), "last_error").substr(0, 22), "cannot reach the Envoy");
    EXPECT_EQ(json_integer_value(json_object_get(source.get(), "last_error_at")), 1767225600);
    EXPECT_TRUE(json_is_null(json_object_get(source.get(), "last_error_cleared_at")));
    EXPECT_EQ(Text(source.get(), "token_holder"), "j***@example.com");
    EXPECT_EQ(json_integer_value(json_object_get(source.get(), "token_expires_at")), 1798761600);
    json_t* requests = json_object_get(source.get(), "requests");
    EXPECT_EQ(json_integer_value(json_object_get(requests, "ok")), 3);
    EXPECT_EQ(json_integer_value(json_object_get(requests, "timeout")), 1);
    EXPECT_EQ(json_integer_value(json_object_get(requests, "refused")), 1);
    EXPECT_EQ(json_integer_value(json_object_get(requests, "bad_reply")), 1);
    EXPECT_EQ(json_integer_value(json_object_get(requests, "unreachable")), 0);
    EXPECT_NEAR(json_number_value(json_object_get(requests, "duration_sum_s")), 18.154, 1e-9);
}

TEST(SourceFactsJsonTest, WhatIsUnknownIsEmptyOrNull) {
    StatusFacts facts;
    facts.source.kind = "demo";
    JsonPtr source = Source(facts);
    ASSERT_TRUE(source);
    EXPECT_EQ(Text(source.get(), "kind"), "demo");
    for (const char* key : {"address", "firmware", "ct_setup", "last_error", "token_holder"})
        EXPECT_EQ(Text(source.get(), key), "") << key;
    for (const char* key :
         {"last_error_at", "last_error_cleared_at", "token_expires_at", "requests"})
        EXPECT_TRUE(json_is_null(json_object_get(source.get(), key))) << key;
}

TEST(MaskEmailTest, LeavesTheFirstLetterAndTheDomain) {
    EXPECT_EQ(MaskEmail("jane.doe@example.com"), "j***@example.com");
    EXPECT_EQ(MaskEmail("j***@example.com"), "j***@example.com") << "masking twice";
    EXPECT_EQ(MaskEmail("@example.com"), "***@example.com");
    EXPECT_EQ(MaskEmail("token file"), "token file");
    EXPECT_EQ(MaskEmail(""), "");
}

TEST(SourceFactsMetricsTest, RequestsByResultTheirDurationsAndTheTokenExpiry) {
    std::string text = RenderMetrics(Facts());
    for (std::string_view line : {
             "# TYPE meteremu_backend_requests_total counter\n",
             "meteremu_backend_requests_total{result=\"ok\"} 3\n",
             "meteremu_backend_requests_total{result=\"timeout\"} 1\n",
             "meteremu_backend_requests_total{result=\"unreachable\"} 0\n",
             "meteremu_backend_requests_total{result=\"untrusted\"} 0\n",
             "meteremu_backend_requests_total{result=\"refused\"} 1\n",
             "meteremu_backend_requests_total{result=\"http_error\"} 0\n",
             "meteremu_backend_requests_total{result=\"bad_reply\"} 1\n",
             "# TYPE meteremu_backend_request_duration_seconds histogram\n",
             // Cumulative, as Prometheus counts buckets.
             "meteremu_backend_request_duration_seconds_bucket{le=\"0.005\"} 1\n",
             "meteremu_backend_request_duration_seconds_bucket{le=\"0.025\"} 1\n",
             "meteremu_backend_request_duration_seconds_bucket{le=\"0.05\"} 2\n",
             "meteremu_backend_request_duration_seconds_bucket{le=\"0.25\"} 3\n",
             "meteremu_backend_request_duration_seconds_bucket{le=\"1\"} 4\n",
             "meteremu_backend_request_duration_seconds_bucket{le=\"5\"} 5\n",
             "meteremu_backend_request_duration_seconds_bucket{le=\"10\"} 5\n",
             "meteremu_backend_request_duration_seconds_bucket{le=\"+Inf\"} 6\n",
             "meteremu_backend_request_duration_seconds_sum 18.154\n",
             "meteremu_backend_request_duration_seconds_count 6\n",
             "# TYPE meteremu_token_expiry_timestamp_seconds gauge\n",
             "meteremu_token_expiry_timestamp_seconds 1798761600\n",
         })
        EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
}

TEST(SourceFactsMetricsTest, NothingIsInventedForASourceThatDoesNotSayIt) {
    StatusFacts facts = Facts();
    facts.source.requests.reset();
    facts.source.token_expires.reset();
    std::string text = RenderMetrics(facts);
    EXPECT_EQ(text.find("meteremu_backend_request"), std::string::npos) << text;
    EXPECT_EQ(text.find("meteremu_token_expiry"), std::string::npos) << text;
}

TEST(SourceFactsMetricsTest, PromtoolAcceptsTheExposition) {
    if (!std::filesystem::exists(kPromtool)) GTEST_SKIP() << kPromtool << " is not installed";
    StatusFacts facts = Facts();
    facts.frontends.push_back({"shelly",
                               "shelly",
                               "Shelly Pro 3EM",
                               80,
                               {1010},
                               "silent",
                               "fresh",
                               {},
                               0,
                               {},
                               "published",
                               ""});
    test::TempDir dir;
    auto file = dir.Write("metrics.txt", RenderMetrics(facts));
    // promtool reads the exposition on stdin; it exits 0 only when it has nothing to say.
    test::RunResult result = test::RunProgram(
        {"/bin/sh", "-c", std::string(kPromtool) + " check metrics < '" + file.string() + "'"});
    EXPECT_EQ(result.status, 0) << result.out << result.err;
}

} // namespace
} // namespace meteremu
