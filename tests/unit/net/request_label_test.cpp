// SPDX-License-Identifier: MIT
// The process's table of method names and the outcome words of /metrics. The table is one for
// the whole process, shared with every other test of this binary, which may have added names
// (or filled it) before any test here runs, in any order (--gtest_shuffle): names a test needs
// a new place for are added before main(), by the constants below.
#include "net/request_label.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace meteremu {
namespace {

const std::string kLongestName(kMaxMethodName, 'm');
const MethodId kGetStatus = MethodIdOf("EM.GetStatus");
const MethodId kLongest = MethodIdOf(kLongestName);

TEST(RequestLabelTest, FixedNamesForTheUnreadAndTheOtherMethods) {
    EXPECT_EQ(MethodName(kUnreadMethod), "-");
    EXPECT_EQ(MethodName(kOtherMethod), "other");
    // An id past the table reads as "other".
    EXPECT_EQ(MethodName(255), "other");
}

TEST(RequestLabelTest, TheSameNameGetsTheSameIdEveryTime) {
    EXPECT_GT(kGetStatus, kOtherMethod);
    EXPECT_LT(kGetStatus, kMethodCapacity);
    EXPECT_EQ(MethodIdOf("EM.GetStatus"), kGetStatus);
    EXPECT_EQ(MethodIdOf(std::string("EM.") + "GetStatus"), kGetStatus);
    EXPECT_EQ(MethodName(kGetStatus), "EM.GetStatus");
    EXPECT_NE(kLongest, kGetStatus);
}

TEST(RequestLabelTest, EmptyAndTooLongNamesAreOther) {
    EXPECT_EQ(MethodIdOf(""), kOtherMethod);
    EXPECT_EQ(MethodIdOf(kLongestName + "m"), kOtherMethod);
    EXPECT_EQ(MethodIdOf(std::string(1000, 'x')), kOtherMethod);
    // kMaxMethodName itself still fits.
    EXPECT_GT(kLongest, kOtherMethod);
    EXPECT_EQ(MethodName(kLongest), kLongestName);
    EXPECT_EQ(MethodIdOf(kLongestName), kLongest);
}

TEST(RequestLabelTest, OutcomeNamesAreTheMetricsWords) {
    EXPECT_EQ(OutcomeName(RequestOutcome::Answered), "answered");
    EXPECT_EQ(OutcomeName(RequestOutcome::Withheld), "withheld");
    EXPECT_EQ(OutcomeName(RequestOutcome::NoNewSample), "no_new_sample");
    EXPECT_EQ(OutcomeName(RequestOutcome::RateLimited), "rate_limited");
    EXPECT_EQ(OutcomeName(RequestOutcome::Refused), "refused");
    EXPECT_EQ(OutcomeName(RequestOutcome::Failed), "failed");
    EXPECT_EQ(RequestLabel{}.method, kOtherMethod);
    EXPECT_EQ(RequestLabel{}.outcome, RequestOutcome::Answered);
}

// Fills the table for the rest of the process: every later new name is "other". What the
// other tests assert does not depend on it (they name their methods before main()).
TEST(RequestLabelTest, FillsTheProcessTableThenNewNamesAreOtherAndKnownOnesKeepTheirIds) {
    std::set<MethodId> ids{kUnreadMethod, kOtherMethod};
    std::string first;
    bool full = false;
    for (std::size_t i = 0; i < kMethodCapacity && !full; ++i) {
        std::string name = "RequestLabelTest.fill." + std::to_string(i);
        MethodId id = MethodIdOf(name);
        full = id == kOtherMethod;
        if (full) continue;
        EXPECT_LT(id, kMethodCapacity) << name;
        EXPECT_TRUE(ids.insert(id).second) << name << " got an id already given";
        EXPECT_EQ(MethodName(id), name);
        if (first.empty()) first = name;
    }
    ASSERT_TRUE(full) << "more than " << kMethodCapacity << " names were taken";
    EXPECT_EQ(MethodIdOf("RequestLabelTest.after-full"), kOtherMethod);
    EXPECT_EQ(MethodIdOf("RequestLabelTest.after-full"), kOtherMethod) << "asking again";
    EXPECT_EQ(MethodIdOf("EM.GetStatus"), kGetStatus);
    EXPECT_EQ(MethodIdOf(kLongestName), kLongest);
    if (!first.empty()) {
        EXPECT_NE(MethodIdOf(first), kOtherMethod);
        EXPECT_EQ(MethodName(MethodIdOf(first)), first);
    }
}

} // namespace
} // namespace meteremu
