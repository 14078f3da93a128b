// SPDX-License-Identifier: MIT
// EnvoyPoller on a FakeEnvoyConnection and a clock moved by hand: every Step() is one call of
// Poll, so a test walks the state machine one request at a time, deterministically.
#pragma once

#include "backends/envoy/envoy_poller.hpp"
#include "fake_envoy_connection.hpp"
#include "fakes/fake_envoy.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace meteremu::envoy {

/// The capture used for a site that polls /ivp/meters/readings: two legs, net-consumption CT.
inline constexpr char kSiteFolder[] = "envoy/8.3.5169_with_generator/";
inline constexpr char kSiteSerial[] = "202439990001";

class EnvoyPollerTest : public testing::Test {
protected:
    EnvoyPollerTest() {
        options_.host = "192.0.2.10";
        options_.token = test::MakeJwt(wall_ + std::chrono::hours(24 * 365), kSiteSerial);
    }

    /// Serves the capture's /info, /ivp/meters and /ivp/meters/readings.
    void ServeSite() {
        envoy().Serve("/info", test::Fixture(std::string(kSiteFolder) + "info"));
        envoy().Serve("/ivp/meters", test::Fixture(std::string(kSiteFolder) + "ivp_meters"));
        envoy().Serve("/ivp/meters/readings",
                      test::Fixture(std::string(kSiteFolder) + "ivp_meters_readings"));
    }

    test::FakeEnvoyConnection& envoy() {
        if (!poller_) MakePoller();
        return *envoy_;
    }

    EnvoyPoller& poller() {
        if (!poller_) MakePoller();
        return *poller_;
    }

    /// One call of Poll: one step of the state machine; the wait it asks for.
    double Step() { return poller().Poll(stop_.get_token()).count(); }

    void Advance(Seconds duration) {
        steady_ += std::chrono::duration_cast<SteadyTime::duration>(duration);
        wall_ += std::chrono::duration_cast<WallTime::duration>(duration);
    }

    MeterView View() const { return state_.View(steady_); }

    test::TempDir dir_;
    EnvoyOptions options_;
    MeterState state_{SiteLayout{}, FreshnessPolicy{Seconds(10.0), OnStale::Silent}};
    SteadyTime steady_ = SteadyTime{} + std::chrono::hours(1000);
    WallTime wall_ = std::chrono::system_clock::now();
    std::stop_source stop_;

private:
    void MakePoller() {
        auto fake = std::make_unique<test::FakeEnvoyConnection>();
        envoy_ = fake.get();
        PollerClock clock{[this] { return steady_; }, [this] { return wall_; }};
        poller_ = std::make_unique<EnvoyPoller>(options_, state_, Seconds(1.0), dir_.Path(),
                                                std::move(fake), std::move(clock));
    }

    test::FakeEnvoyConnection* envoy_ = nullptr; ///< owned by poller_
    std::unique_ptr<EnvoyPoller> poller_;
};

} // namespace meteremu::envoy
