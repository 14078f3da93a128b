// SPDX-License-Identifier: MIT
// The presets and the generic field mapping against every capture of tests/fixtures/http_json
// (expected values from its PROVENANCE.md), and payloads a hostile or broken peer might send.
#include "backends/http_json/payload_map.hpp"
#include "backends/http_json/presets.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace meteremu::http_json {
namespace {

std::string Capture(const std::string& name) {
    return test::Fixture("http_json/" + name);
}

void ExpectPowers(const Reading& reading, double a, double b, double c) {
    EXPECT_DOUBLE_EQ(reading.phases[0].act_power, a);
    EXPECT_DOUBLE_EQ(reading.phases[1].act_power, b);
    EXPECT_DOUBLE_EQ(reading.phases[2].act_power, c);
}

PayloadMap Total(std::string_view pointer) {
    PayloadMap map;
    map.power.push_back({JsonPointer::Parse(pointer), {}, {}, false});
    return map;
}

PayloadError::Kind KindOf(std::string_view body, const PayloadMap& map) {
    try {
        MapPayload(body, map);
    } catch (const PayloadError& error) {
        return error.GetKind();
    }
    ADD_FAILURE() << "mapped: " << body;
    return PayloadError::Kind::Unparsable;
}

TEST(HttpJsonPresetTest, ShellyGen2ReadsThePro3emEmGetStatus) {
    Reading reading =
        MapPayload(test::Fixture("shelly/sigelly_real_pro3em63_fw2.0.0/rpc_EM.GetStatus_id_0.json"),
                   PresetMap(Preset::ShellyGen2));
    ExpectPowers(reading, 1387.1, 0.0, 0.0);
    EXPECT_DOUBLE_EQ(reading.phases[0].voltage, 228.3);
    EXPECT_DOUBLE_EQ(reading.phases[0].current, 6.112);
    EXPECT_DOUBLE_EQ(reading.phases[0].aprt_power, 1394.7);
    EXPECT_DOUBLE_EQ(reading.phases[0].power_factor, 1.0);
    EXPECT_DOUBLE_EQ(reading.phases[2].frequency, 49.9);
    EXPECT_DOUBLE_EQ(reading.phases[1].voltage, 226.3);
    EXPECT_FALSE(HasEnergy(PresetMap(Preset::ShellyGen2))); // integrated by meteremu
}

TEST(HttpJsonPresetTest, ShellyGen2Em1ReadsTheProEm50Channel0) {
    Reading reading = MapPayload(Capture("proem50_EM1.GetStatus_id0_evcc-derived.json"),
                                 PresetMap(Preset::ShellyGen2Em1));
    ExpectPowers(reading, -332.2, 0, 0);
    EXPECT_DOUBLE_EQ(reading.phases[0].voltage, 226.9);
    EXPECT_DOUBLE_EQ(reading.phases[0].current, 1.473);
    EXPECT_DOUBLE_EQ(reading.phases[0].power_factor, 0.99);
}

TEST(HttpJsonPresetTest, ShellyGen1ReadsPowersAndCountersOfBoth3emCaptures) {
    PayloadMap map = PresetMap(Preset::ShellyGen1Em3);
    Reading old = MapPayload(Capture("shelly-gen1-3em_status_fw1.11.8_syssi_pretty.json"), map);
    ExpectPowers(old, 143.25, 321.23, 398.90);
    EXPECT_DOUBLE_EQ(old.phases[2].import_wh, 1080125.1);
    EXPECT_DOUBLE_EQ(old.phases[2].export_wh, 1151.4);
    EXPECT_DOUBLE_EQ(old.phases[1].voltage, 234.66);
    Reading sorted =
        MapPayload(Capture("shelly-gen1-3em_status_fw1.12_syssi_sortedkeys.json"), map);
    ExpectPowers(sorted, -458.43, 357.2, 2629.79);
    EXPECT_DOUBLE_EQ(sorted.phases[0].power_factor, -0.95);
    EXPECT_DOUBLE_EQ(sorted.phases[0].export_wh, 517029.3);
    EXPECT_DOUBLE_EQ(sorted.TotalActPower(), -458.43 + 357.2 + 2629.79);
}

TEST(HttpJsonPresetTest, ShellyGen1On2ChannelEmHasNoThirdMeter) {
    // The Shelly EM has two emeters: the 3EM preset does not fit it (a pointer does).
    EXPECT_EQ(KindOf(Capture("shelly-gen1-em_status_fw1.12.1_evcc.json"),
                     PresetMap(Preset::ShellyGen1Em3)),
              PayloadError::Kind::MissingField);
    Reading channel0 =
        MapPayload(Capture("shelly-gen1-em_status_fw1.12.1_evcc.json"), Total("/emeters/0/power"));
    ExpectPowers(channel0, -620.34, 0, 0);
}

TEST(HttpJsonPresetTest, TasmotaReadsTheFieldsOfTheSmlScript) {
    SmlFields dws7410{"DWS7410", "power", "energy", "en_out"};
    Reading reading = MapPayload(Capture("tasmota_status10_sml_DWS7410_unimeter-doc_pretty.json"),
                                 PresetMap(Preset::Tasmota, dws7410));
    ExpectPowers(reading, -1962.05, 0, 0);
    EXPECT_DOUBLE_EQ(reading.phases[0].import_wh, 7418.4061 * 1000);
    EXPECT_DOUBLE_EQ(reading.phases[0].export_wh, 9032.9393 * 1000);

    SmlFields dws7420{"DWS7420", "aktuelle_wirkleistung", "zählerstand_total", "wirkenergie_total"};
    ExpectPowers(MapPayload(Capture("tasmota_status8_sml_DWS7420_evcc-issue8740.json"),
                            PresetMap(Preset::Tasmota, dws7420)),
                 314.49, 0, 0);
    ExpectPowers(MapPayload(Capture("tasmota_status_sml_3phase_syssi_sortedkeys.json"),
                            PresetMap(Preset::Tasmota, {"SML", "curr_w", "", ""})),
                 -141, 0, 0);
    ExpectPowers(MapPayload(Capture("tasmota_status_sml_german-keys-with-spaces_syssi.json"),
                            PresetMap(Preset::Tasmota, {"SML", "Leistung", "", ""})),
                 589, 0, 0);
    EXPECT_EQ(KindOf(Capture("tasmota_status_sml_german-keys-with-spaces_syssi.json"),
                     PresetMap(Preset::Tasmota, {"SML", "Power", "", ""})),
              PayloadError::Kind::MissingField);
}

TEST(HttpJsonPresetTest, HomeWizardReadsPhasesAndKwhCounters) {
    Reading reading = MapPayload(Capture("homewizard-p1_v1_api_v1_data_curated.json"),
                                 PresetMap(Preset::HomeWizardP1));
    ExpectPowers(reading, -676, 133, 0);
    EXPECT_DOUBLE_EQ(reading.phases[0].import_wh, 13779.338 * 1000);
    EXPECT_DOUBLE_EQ(reading.phases[0].export_wh, 0);
    EXPECT_DOUBLE_EQ(reading.phases[0].current, 4); // signed in the capture, never negative here
    EXPECT_DOUBLE_EQ(reading.phases[0].frequency, 50);
    // A single-phase meter reports l1 only: phases b and c read 0, not missing.
    Reading single = MapPayload(R"({"active_power_l1_w": 210, "total_power_import_kwh": 1,
                                    "total_power_export_kwh": 2})",
                                PresetMap(Preset::HomeWizardP1));
    ExpectPowers(single, 210, 0, 0);
}

TEST(HttpJsonMappingTest, PointersReadTheCapturesWithoutAPreset) {
    ExpectPowers(MapPayload(Capture("esphome_rest_sensor_state_syssi.json"), Total("/value")),
                 19.76666, 0, 0);
    PayloadMap v2;
    for (const char* pointer : {"/power_l1_w", "/power_l2_w", "/power_l3_w"})
        v2.power.push_back({JsonPointer::Parse(pointer), {}, {}, false});
    v2.energy.push_back(
        {JsonPointer::Parse("/energy_import_kwh"), JsonPointer::Parse("/energy_export_kwh")});
    v2.energy_scale = 1000;
    Reading three = MapPayload(Capture("homewizard-p1_v2_api_measurement_3phase_curated.json"), v2);
    ExpectPowers(three, -676, 133, 0);
    EXPECT_DOUBLE_EQ(three.TotalImportWh(), 13779.338 * 1000);
    ExpectPowers(MapPayload(Capture("homewizard-p1_v2_api_measurement_1phase_curated.json"),
                            Total("/power_w")),
                 -678, 0, 0);
    // Pro EM-50's real Shelly.GetStatus: a key with a colon.
    ExpectPowers(
        MapPayload(Capture("proem50_Shelly.GetStatus_evcc.json"), Total("/em1:1/act_power")), -38.5,
        0, 0);
    // The hand-written EM1Data reply has counters but no power.
    EXPECT_EQ(
        KindOf(Capture("proem50_EM1Data.GetStatus_id0_evcc-derived.json"), Total("/act_power")),
        PayloadError::Kind::MissingField);
    // HomeWizard's device reply (/api) holds no power at all.
    EXPECT_EQ(KindOf(Capture("homewizard-p1_v2_api_device_curated.json"), Total("/power_w")),
              PayloadError::Kind::MissingField);
}

TEST(HttpJsonMappingTest, ImportMinusExportScaleAndInvert) {
    PayloadMap map;
    map.power.push_back(
        {JsonPointer::Parse("/in"), JsonPointer::Parse("/in"), JsonPointer::Parse("/out"), false});
    map.scale = 1000; // kW
    ExpectPowers(MapPayload(R"({"in": 0.25, "out": 1.5})", map), -1250, 0, 0);
    map.invert = true;
    ExpectPowers(MapPayload(R"({"in": 0.25, "out": 1.5})", map), 1250, 0, 0);
    // A number in a string counts; text around it does not.
    ExpectPowers(MapPayload(R"({"in": "2", "out": "0.5"})", map), -1500, 0, 0);
    EXPECT_EQ(KindOf(R"({"in": "2 kW", "out": 0})", map), PayloadError::Kind::MissingField);
}

TEST(HttpJsonMappingTest, RefusesWhatNoMeterSends) {
    PayloadMap map = Total("/power");
    EXPECT_EQ(KindOf("", map), PayloadError::Kind::Unparsable);
    EXPECT_EQ(KindOf("<html><body>Unauthorized</body></html>", map),
              PayloadError::Kind::Unparsable);
    EXPECT_EQ(KindOf(R"({"power": 12)", map), PayloadError::Kind::Unparsable);
    EXPECT_EQ(KindOf("42", map), PayloadError::Kind::Unparsable); // not an object or array
    EXPECT_EQ(KindOf(R"({"power": null})", map), PayloadError::Kind::MissingField);
    EXPECT_EQ(KindOf(R"({"power": true})", map), PayloadError::Kind::MissingField);
    EXPECT_EQ(KindOf(R"({"power": "nan"})", map), PayloadError::Kind::MissingField);
    EXPECT_EQ(KindOf(R"({"power": 1e300})", map), PayloadError::Kind::Unparsable);
    EXPECT_EQ(KindOf(R"({"power": -2e7})", map), PayloadError::Kind::Unparsable);
    map.energy.push_back({JsonPointer::Parse("/in"), JsonPointer::Parse("/out")});
    EXPECT_EQ(KindOf(R"({"power": 1, "in": -5, "out": 0})", map), PayloadError::Kind::Unparsable);
}

TEST(HttpJsonMappingTest, ErrorsQuoteLittleOfThePayload) {
    std::string garbage = "{\"power\": 1, " + std::string(5000, 'x');
    try {
        MapPayload(garbage, Total("/power"));
        FAIL() << "garbage mapped";
    } catch (const PayloadError& error) {
        EXPECT_LT(std::string_view(error.what()).size(), 300u) << error.what();
    }
}

} // namespace
} // namespace meteremu::http_json
