// SPDX-License-Identifier: MIT
// The mapping of docs/protocols/envoy.md#phase-mapping on captures with known values, and the rules
// around it: channels past phaseCount, eids not enabled, power factor, frequency, total-consumption
// CTs, production.json.
#include "backends/envoy/envoy_error.hpp"
#include "backends/envoy/production_json.hpp"
#include "backends/envoy/readings.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace meteremu::envoy {
namespace {

Reading MapFolder(const std::string& folder) {
    MeterSetup setup = ParseMeters(test::Fixture("envoy/" + folder + "/ivp_meters"));
    return MapNetConsumption(
        setup, ReadingsDocument(test::Fixture("envoy/" + folder + "/ivp_meters_readings")));
}

TEST(ReadingsTest, SplitPhaseSiteMapsLegsToAAndB) {
    Reading reading = MapFolder("8.3.5169_with_generator");
    const auto& a = reading[Phase::A];
    EXPECT_DOUBLE_EQ(a.act_power, -271.656);
    EXPECT_DOUBLE_EQ(a.aprt_power, 952.076);
    EXPECT_DOUBLE_EQ(a.voltage, 124.255);
    EXPECT_DOUBLE_EQ(a.current, 7.662);
    EXPECT_DOUBLE_EQ(a.power_factor, -0.277); // reported and consistent with P/S
    EXPECT_DOUBLE_EQ(a.frequency, 60.0);
    EXPECT_DOUBLE_EQ(a.import_wh, 7065863.788);
    EXPECT_DOUBLE_EQ(a.export_wh, 2055250.184);
    EXPECT_DOUBLE_EQ(reading[Phase::B].act_power, 432.145);
    EXPECT_DOUBLE_EQ(reading[Phase::B].import_wh, 11933662.689);
    EXPECT_EQ(reading[Phase::C].frequency, 0); // not measured: all zero
    EXPECT_NEAR(reading.TotalActPower(), 160.489, 1e-9);
    EXPECT_EQ(reading.measured_at.time_since_epoch(), std::chrono::seconds(1785593341));
}

TEST(ReadingsTest, IgnoresTheChannelPastPhaseCountThatMirrorsStorage) {
    Reading reading = MapFolder("8.2.127_with_3cts_and_battery_split");
    EXPECT_DOUBLE_EQ(reading[Phase::A].act_power, -201.39);
    EXPECT_DOUBLE_EQ(reading[Phase::B].act_power, 330.797);
    EXPECT_EQ(reading[Phase::C].act_power, 0); // the capture says -464.966 there
    EXPECT_EQ(reading[Phase::C].import_wh, 0);
}

TEST(ReadingsTest, IgnoresPhantomPhasesOnAThreeOneSite) {
    Reading reading = MapFolder("8.2.4382_ACB");
    EXPECT_DOUBLE_EQ(reading[Phase::A].act_power, 22.54);
    EXPECT_DOUBLE_EQ(reading[Phase::A].frequency, 50.125);
    EXPECT_EQ(reading[Phase::B].voltage, 0);   // phantom 1.666 V
    EXPECT_EQ(reading[Phase::C].export_wh, 0); // bogus 80195 Wh
}

TEST(ReadingsTest, ComputesPowerFactorWhenTheReportedOneCannotBeRight) {
    EXPECT_DOUBLE_EQ(ChoosePowerFactor(0.96, 1459.645, 1505.846), 0.96);
    EXPECT_NEAR(ChoosePowerFactor(1.94, 1000, 1100), 1000.0 / 1100, 1e-12); // a sum of PFs
    EXPECT_NEAR(ChoosePowerFactor(0.9, -500, 550), -500.0 / 550, 1e-12);    // wrong sign
    EXPECT_NEAR(ChoosePowerFactor(std::nullopt, 300, 600), 0.5, 1e-12);
    EXPECT_EQ(ChoosePowerFactor(0.0, 0, 0), 0);
    EXPECT_EQ(ChoosePowerFactor(-1.0, -0.0, -0.0), 0); // an idle channel of 7.6.175
}

TEST(ReadingsTest, RefusesReadingsWithoutTheConsumptionEid) {
    MeterSetup setup = ParseMeters(test::Fixture("envoy/8.3.5169_with_generator/ivp_meters"));
    EXPECT_THROW(MapNetConsumption(setup, ReadingsDocument("[]")), EnvoyError);
    EXPECT_THROW(MapNetConsumption(setup, ReadingsDocument(R"([{"eid":704643584,"timestamp":1,
        "channels":[{"activePower":1}]}])")),
                 EnvoyError);
    EXPECT_THROW(ReadingsDocument("<html>error</html>"), EnvoyError);
    EXPECT_THROW(ReadingsDocument(R"({"error":"404 - Not Found"})"), EnvoyError);
}

TEST(ReadingsTest, TotalConsumptionCtGivesLoadMinusProductionPerPhase) {
    std::string meters = R"([
      {"eid":1,"state":"enabled","measurementType":"production","phaseMode":"split","phaseCount":2},
      {"eid":2,"state":"enabled","measurementType":"total-consumption","phaseMode":"split","phaseCount":2}])";
    auto channel = [](double p, double q, double v, double f) {
        return R"({"activePower":)" + std::to_string(p) + R"(,"apparentPower":1,"reactivePower":)" +
               std::to_string(q) + R"(,"voltage":)" + std::to_string(v) +
               R"(,"current":1,"freq":)" + std::to_string(f) +
               R"(,"actEnergyDlvd":5,"actEnergyRcvd":0})";
    };
    std::string readings = R"([{"eid":1,"timestamp":100,"channels":[)" + channel(1000, 0, 120, 60) +
                           "," + channel(800, 0, 121, 60) + "," + channel(5, 0, 3, 60) +
                           R"(]},{"eid":2,"timestamp":100,"channels":[)" +
                           channel(400, 300, 120, 0) + "," + channel(1200, 0, 121, 60) + "," +
                           channel(9, 0, 3, 60) + "]}]";
    MeterSetup setup = ParseMeters(meters);
    ASSERT_EQ(setup.source, GridSource::TotalConsumption);
    Reading reading = MapTotalConsumption(setup, ReadingsDocument(readings));
    EXPECT_DOUBLE_EQ(reading[Phase::A].act_power, -600); // exporting
    EXPECT_DOUBLE_EQ(reading[Phase::A].aprt_power, std::hypot(600.0, 300.0));
    EXPECT_DOUBLE_EQ(reading[Phase::A].current, std::hypot(600.0, 300.0) / 120);
    EXPECT_DOUBLE_EQ(reading[Phase::A].power_factor, -600 / std::hypot(600.0, 300.0));
    EXPECT_DOUBLE_EQ(reading[Phase::A].frequency, 60); // load CT said 0: production's
    EXPECT_DOUBLE_EQ(reading[Phase::B].act_power, 400);
    EXPECT_DOUBLE_EQ(reading[Phase::B].power_factor, 1);
    EXPECT_EQ(reading[Phase::C].act_power, 0);
    EXPECT_EQ(reading[Phase::A].import_wh, 0); // the caller integrates energy
}

TEST(ReadingsTest, TotalConsumptionWithoutProductionCtHasNoGridData) {
    MeterSetup setup = ParseMeters(R"([{"eid":2,"state":"enabled",
        "measurementType":"total-consumption","phaseMode":"single","phaseCount":1}])");
    EXPECT_EQ(setup.source, GridSource::None);
    EXPECT_NE(setup.reason.find("production"), std::string::npos);
}

TEST(ReadingsTest, ProductionJsonUsesTheNetConsumptionLines) {
    auto grid = ParseProductionJsonGrid(
        test::Fixture("envoy/8.3.5169_with_generator/production.json_details_1"));
    ASSERT_TRUE(grid.has_value());
    EXPECT_EQ(grid->lines, 2);
    const auto& a = grid->reading[Phase::A];
    EXPECT_DOUBLE_EQ(a.act_power, -295.092);
    EXPECT_DOUBLE_EQ(a.current, 7.688);      // signed -7.688 in the capture
    EXPECT_DOUBLE_EQ(a.aprt_power, 954.385); // signed too
    EXPECT_NEAR(a.power_factor, -295.092 / 954.385, 1e-12);
    EXPECT_DOUBLE_EQ(grid->reading[Phase::B].act_power, 460.393);
    EXPECT_EQ(a.import_wh, 0); // whLifetime is a net counter: never used as import
    EXPECT_EQ(a.frequency, 0);
}

TEST(ReadingsTest, ProductionJsonWithoutLinesPutsTheTotalOnPhaseA) {
    auto grid = ParseProductionJsonGrid(test::Fixture("envoy/8.1.41/production.json"));
    ASSERT_TRUE(grid.has_value());
    EXPECT_EQ(grid->lines, 0);
    EXPECT_DOUBLE_EQ(grid->reading[Phase::A].act_power, -7812.457);
    EXPECT_EQ(grid->reading[Phase::B].act_power, 0);
}

TEST(ReadingsTest, NumbersBeyondWhatTheTypesHoldAreRefusedOrHeld) {
    // Found by fuzzing: these converted out of range (undefined behaviour).
    EXPECT_THROW(ParseMeters(R"([{"eid":1e308,"state":"enabled"}])"), EnvoyError);
    EXPECT_THROW(ParseMeters(R"([{"eid":-1,"state":"enabled"}])"), EnvoyError);
    MeterSetup setup = ParseMeters(R"([
        {"eid":1,"state":"enabled","measurementType":"production","phaseCount":1e308},
        {"eid":2,"state":"enabled","measurementType":"net-consumption","phaseCount":-1e308}])");
    EXPECT_EQ(setup.meters[0].phase_count, 3);
    EXPECT_EQ(setup.meters[1].phase_count, 1);
    auto grid = ParseProductionJsonGrid(R"({"consumption":[{"type":"eim","activeCount":1,
        "measurementType":"net-consumption","readingTime":1e19,"wNow":5,"apprntPwr":10,
        "rmsVoltage":230,"rmsCurrent":0.1,"pwrFactor":0.5}]})");
    ASSERT_TRUE(grid.has_value());
    EXPECT_GT(grid->reading.measured_at.time_since_epoch(), std::chrono::seconds(8000000000));
}

} // namespace
} // namespace meteremu::envoy
