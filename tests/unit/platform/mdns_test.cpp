// SPDX-License-Identifier: MIT
// The publisher without a D-Bus system bus: it must say so once and never block or throw.
// Publishing itself is tested with real daemons in tests/system/mdns_test.sh.
#include "platform/mdns.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace meteremu {
namespace {

using namespace std::chrono_literals;

class Reports {
public:
    MdnsReporter Reporter() {
        return [this](const MdnsReport& report) {
            std::lock_guard lock(mutex_);
            reports_.push_back(report);
            changed_.notify_all();
        };
    }

    std::vector<MdnsReport> WaitFor(size_t count, std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, timeout, [&] { return reports_.size() >= count; });
        return reports_;
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<MdnsReport> reports_;
};

class MdnsPublisherTest : public testing::Test {
protected:
    void SetUp() override {
        if (const char* bus = std::getenv("DBUS_SYSTEM_BUS_ADDRESS")) saved_ = bus;
        setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/meteremu-test-bus", 1);
    }
    void TearDown() override {
        if (saved_)
            setenv("DBUS_SYSTEM_BUS_ADDRESS", saved_->c_str(), 1);
        else
            unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
    }

    std::optional<std::string> saved_;
};

TEST_F(MdnsPublisherTest, WithoutASystemBusItReportsUnavailableOnceAndStopsPromptly) {
    Reports reports;
    auto started = std::chrono::steady_clock::now();
    {
        MdnsPublisher publisher({{"_http._tcp", "meter", "Meter-1", 8080, {"gen=2"}}}, "127.0.0.1",
                                reports.Reporter());
        auto seen = reports.WaitFor(1, 5s);
        ASSERT_EQ(seen.size(), 1u);
        EXPECT_EQ(seen[0].event, MdnsEvent::Unavailable);
        EXPECT_NE(seen[0].detail.find("D-Bus"), std::string::npos) << seen[0].detail;
        publisher.Update({{"_http._tcp", "meter", "Meter-2", 8081, {}}}); // no bus: no effect
    }
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
    EXPECT_EQ(reports.WaitFor(2, 200ms).size(), 1u) << "reported more than once";
}

} // namespace
} // namespace meteremu
