// SPDX-License-Identifier: MIT
// The Envoy parsers over every captured gateway: which grid source each one has, and that
// every readings body maps or is refused whole.
#include "backends/envoy/envoy_error.hpp"
#include "backends/envoy/meters.hpp"
#include "backends/envoy/production_json.hpp"
#include "backends/envoy/readings.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

namespace meteremu::envoy {
namespace {

const std::filesystem::path kEnvoy = std::filesystem::path(METEREMU_FIXTURES_DIR) / "envoy";

/// Folders whose /ivp/meters has an enabled net-consumption CT, with the phase count.
const std::map<std::string, int> kNetFolders{
    {"7.3.466_with_cts_3phase", 3},
    {"7.3.517_system_2", 2},
    {"7.6.175_with_cts", 1},
    {"7.6.175_with_cts_3phase", 3},
    {"8.2.127_with_3cts_and_battery_split", 2},
    {"8.2.127_with_generator_running", 2},
    {"8.2.4345_with_device_data", 1},
    {"8.2.4382_ACB", 1},
    {"8.3.1598_collar", 2},
    {"8.3.5169_ACB_inventory", 1},
    {"8.3.5169_with_generator", 2},
};

/// Folders without /ivp/meters whose /production.json has an active net-consumption CT.
const std::set<std::string> kProductionJsonFolders{
    "7.3.130", "7.3.517", "7.3.517_legacy_savings_mode", "8.1.41", "8.2.4382_ACB_2"};

bool Exists(const std::string& folder, const std::string& file) {
    return std::filesystem::exists(kEnvoy / folder / file);
}

std::string Read(const std::string& folder, const std::string& file) {
    return test::Fixture("envoy/" + folder + "/" + file);
}

TEST(FixtureParsersTest, EveryMetersCaptureGivesTheDocumentedGridSource) {
    int parsed = 0;
    for (const auto& entry : std::filesystem::directory_iterator(kEnvoy)) {
        std::string folder = entry.path().filename();
        if (!entry.is_directory() || !Exists(folder, "ivp_meters")) continue;
        SCOPED_TRACE(folder);
        std::string body = Read(folder, "ivp_meters");
        if (folder.starts_with("3.")) {
            // "Error: 401" text and {"error": "404 - Not Found"}: no CTs, never a crash.
            EXPECT_THROW(ParseMeters(body), EnvoyError);
            continue;
        }
        MeterSetup setup = ParseMeters(body);
        ++parsed;
        auto net = kNetFolders.find(folder);
        if (net == kNetFolders.end()) {
            EXPECT_EQ(setup.source, GridSource::None);
            EXPECT_FALSE(setup.reason.empty());
            continue;
        }
        EXPECT_EQ(setup.source, GridSource::NetConsumption);
        EXPECT_EQ(setup.phase_count, net->second);
        EXPECT_EQ(setup.consumption->eid, 704643584u);
        ASSERT_TRUE(setup.production.has_value());
        EXPECT_EQ(setup.production->eid, 704643328u);
    }
    EXPECT_EQ(parsed, 17);
}

TEST(FixtureParsersTest, EveryReadingsCaptureMapsOrIsRefusedWhole) {
    for (const auto& [folder, phases] : kNetFolders) {
        SCOPED_TRACE(folder);
        MeterSetup setup = ParseMeters(Read(folder, "ivp_meters"));
        Reading reading =
            MapNetConsumption(setup, ReadingsDocument(Read(folder, "ivp_meters_readings")));
        for (size_t i = static_cast<size_t>(phases); i < kPhaseCount; ++i) {
            EXPECT_EQ(reading.phases[i].voltage, 0) << "phase " << i;
            EXPECT_EQ(reading.phases[i].act_power, 0) << "phase " << i;
            EXPECT_EQ(reading.phases[i].import_wh, 0) << "phase " << i;
        }
        for (size_t i = 0; i < static_cast<size_t>(phases); ++i) {
            EXPECT_GT(reading.phases[i].frequency, 45) << "phase " << i;
            EXPECT_LE(std::abs(reading.phases[i].power_factor), 1.0);
        }
        // A cut body is refused, never half-used.
        std::string body = Read(folder, "ivp_meters_readings");
        EXPECT_THROW(ReadingsDocument(body.substr(0, body.size() / 2)), EnvoyError);
    }
}

TEST(FixtureParsersTest, ProductionJsonHasGridDataOnlyWithAnActiveNetCt) {
    for (const auto& entry : std::filesystem::directory_iterator(kEnvoy)) {
        std::string folder = entry.path().filename();
        if (!entry.is_directory()) continue;
        SCOPED_TRACE(folder);
        std::string body = Read(folder, "production.json");
        if (folder.starts_with("3.")) {
            EXPECT_THROW(ParseProductionJsonGrid(body), EnvoyError); // HTML, some with 200
            continue;
        }
        bool active = kProductionJsonFolders.count(folder) || kNetFolders.count(folder);
        EXPECT_EQ(ParseProductionJsonGrid(body).has_value(), active);
    }
}

} // namespace
} // namespace meteremu::envoy
