// SPDX-License-Identifier: MIT
// The DSMR telegram parser against every capture in tests/fixtures/dsmr_p1/ (expected powers
// from its expected.json), the CRC, units (kW and W), and the splitter on a raw port dump
// that starts mid-telegram.
#include "backends/dsmr_p1/telegram.hpp"
#include "backends/dsmr_p1/telegram_splitter.hpp"
#include "support/temp_dir.hpp"
#include "util/json.hpp"

#include <gtest/gtest.h>

namespace meteremu::dsmr {
namespace {

std::string Capture(const std::string& name) {
    return test::Fixture("dsmr_p1/" + name);
}

JsonPtr Expected() {
    std::string text = Capture("expected.json");
    JsonPtr json(json_loadb(text.data(), text.size(), 0, nullptr));
    EXPECT_TRUE(json) << "expected.json is not JSON";
    return json;
}

/// expected.json's value for `obis` in W, nullopt where it is null (not in the telegram).
std::optional<double> Watts(json_t* expected, const std::string& obis) {
    json_t* value = json_object_get(expected, ("1-0:" + obis + "_W").c_str());
    if (json_is_null(value)) return std::nullopt;
    EXPECT_TRUE(json_is_number(value)) << obis;
    return json_number_value(value);
}

void ExpectTelegram(const std::string& name, json_t* expected) {
    SCOPED_TRACE(name);
    std::string telegram = Capture(name);
    json_t* crc_ok = json_object_get(expected, "crc_ok");
    bool has_crc = !json_is_null(crc_ok);
    EXPECT_NO_THROW(CheckTelegram(telegram, has_crc));
    if (!has_crc) {
        EXPECT_THROW(CheckTelegram(telegram, true), TelegramError);
    }
    if (!Watts(expected, "1.7.0")) {
        EXPECT_THROW(ParseTelegram(telegram), TelegramError) << "no electricity power";
        return;
    }
    P1Values values = ParseTelegram(telegram);
    EXPECT_DOUBLE_EQ(values.import_w, *Watts(expected, "1.7.0"));
    EXPECT_DOUBLE_EQ(values.export_w, *Watts(expected, "2.7.0"));
    Reading reading = ToReading(values, WallTime{});
    const char* imports[] = {"21.7.0", "41.7.0", "61.7.0"};
    const char* exports[] = {"22.7.0", "42.7.0", "62.7.0"};
    bool per_phase = Watts(expected, "21.7.0").has_value();
    for (std::size_t i = 0; i < 3; ++i) {
        double grid = json_number_value(json_object_get(expected, "grid_W"));
        double want = per_phase ? Watts(expected, imports[i]).value_or(0) -
                                      Watts(expected, exports[i]).value_or(0)
                                : (i == 0 ? grid : 0.0);
        EXPECT_NEAR(reading.phases[i].act_power, want, 1e-9) << "phase " << i;
    }
    EXPECT_TRUE(values.import_wh) << "every electricity meter sends its counters";
}

TEST(DsmrTelegramTest, EveryCaptureDecodesToItsExpectedPowers) {
    JsonPtr expected = Expected();
    const char* name = nullptr;
    json_t* values = nullptr;
    int checked = 0;
    json_object_foreach(expected.get(), name, values) {
        if (json_object_get(values, "complete_telegrams")) continue; // the stream, below
        ExpectTelegram(name, values);
        ++checked;
    }
    EXPECT_GE(checked, 14);
}

TEST(DsmrTelegramTest, MixedSignPhasesKeepTheirOwnValues) {
    P1Values values =
        ParseTelegram(Capture("dsmr50_3ph_ISK5-2M550T-1012_mixed-sign-phases_dsmrtools.txt"));
    Reading reading = ToReading(values, WallTime{});
    EXPECT_DOUBLE_EQ(reading.phases[0].act_power, 54);
    EXPECT_DOUBLE_EQ(reading.phases[1].act_power, -842);
    EXPECT_DOUBLE_EQ(reading.phases[2].act_power, 631);
    EXPECT_DOUBLE_EQ(*values.voltage[1], 237.1);
    EXPECT_DOUBLE_EQ(*values.current[2], 3);
    // Energy: tariff 1 + tariff 2, in Wh.
    EXPECT_NEAR(reading.TotalImportWh(), (16366.258 + 13315.593) * 1000, 1e-6);
    EXPECT_NEAR(reading.TotalExportWh(), (2435.025 + 6153.962) * 1000, 1e-6);
}

TEST(DsmrTelegramTest, WattAndWattHourUnitsOfAustrianMeters) {
    P1Values values = ParseTelegram(Capture("at_sagemcom-t210-d-r_W-units_dsmrparser.txt"));
    EXPECT_DOUBLE_EQ(values.import_w, 286);
    EXPECT_DOUBLE_EQ(*values.import_wh, 6545766); // 1.8.0 as sent
    EXPECT_DOUBLE_EQ(*values.export_wh, 58);
    Reading reading = ToReading(values, WallTime{});
    EXPECT_DOUBLE_EQ(reading.phases[0].act_power, 286); // no phases: the total on phase A
    EXPECT_DOUBLE_EQ(reading.phases[1].act_power, 0);
}

TEST(DsmrTelegramTest, HungarianExportAndFrequency) {
    P1Values values = ParseTelegram(Capture("hu_eon_SAG5_export_dsmrparser.txt"));
    EXPECT_DOUBLE_EQ(ToReading(values, WallTime{}).phases[0].act_power, -2601);
    EXPECT_DOUBLE_EQ(*values.frequency, 50.0);
    EXPECT_NEAR(*values.import_wh, 173640, 1e-6);
}

TEST(DsmrTelegramTest, CrcIsArcAndMayComeWithoutLeadingZeros) {
    EXPECT_EQ(Crc16Arc("123456789"), 0xBB3D); // the CRC-16/ARC check value
    std::string unpadded = Capture("dsmr50_heat_NWA-WARMTELINK_unpaddedcrc_dsmrparser.txt");
    EXPECT_NO_THROW(CheckTelegram(unpadded, true)); // "!B9F" is 0x0B9F
}

TEST(DsmrTelegramTest, AChangedByteOrAMissingCrcIsRefused) {
    std::string telegram = Capture("dsmr50_3ph_ISK5-2M550T-1012_dsmrtools.txt");
    std::string changed = telegram;
    changed[changed.find("1-0:1.7.0(") + 12] ^= 1;
    try {
        CheckTelegram(changed, true);
        FAIL() << "a changed telegram passed";
    } catch (const TelegramError& error) {
        EXPECT_EQ(error.Kind(), Fault::Checksum);
        EXPECT_NE(std::string(error.what()).find("telegram says 9DF0"), std::string::npos)
            << error.what();
    }
    std::string without = telegram.substr(0, telegram.rfind('!') + 1) + "\r\n";
    EXPECT_THROW(CheckTelegram(without, true), TelegramError);
    EXPECT_NO_THROW(CheckTelegram(without, false));
}

TEST(DsmrTelegramTest, UnreadableValuesAreNamed) {
    std::string telegram = "/XMX5\r\n\r\n1-0:1.7.0(00.43x*kW)\r\n!\r\n";
    try {
        ParseTelegram(telegram);
        FAIL();
    } catch (const TelegramError& error) {
        EXPECT_EQ(error.Kind(), Fault::Malformed);
        EXPECT_EQ(std::string(error.what()), "unreadable value of 1-0:1.7.0: (00.43x*kW)");
    }
    EXPECT_THROW(ParseTelegram("/XMX5\r\n1-0:1.7.0(00.433*kVA)\r\n!\r\n"), TelegramError);
    EXPECT_THROW(ParseTelegram("/XMX5\r\n1-0:1.7.0(00.433)\r\n!\r\n"), TelegramError);
}

TEST(TelegramSplitterTest, ARawPortDumpGivesItsThirtyTelegrams) {
    std::string stream =
        Capture("dsmr50_3ph_ISK5-2M550T-1012_stream30_crlf-restored_dsmrtools.txt");
    TelegramSplitter splitter;
    std::vector<SplitEvent> events;
    // In pieces of odd sizes, as a port delivers them.
    for (std::size_t at = 0; at < stream.size(); at += 37)
        splitter.Feed(std::string_view(stream).substr(at, 37), events);
    ASSERT_EQ(events.size(), 30u) << "the 320-byte tail before the first \"/\" is no telegram";
    std::vector<double> powers;
    for (const auto& event : events) {
        ASSERT_TRUE(event.complete);
        CheckTelegram(event.text, true);
        powers.push_back(ParseTelegram(event.text).import_w);
    }
    EXPECT_EQ(powers[0], 378);
    EXPECT_EQ(powers[12], 1230);
    EXPECT_EQ(powers[29], 428);
}

TEST(TelegramSplitterTest, ATelegramCutByTheNextIsReported) {
    std::string telegram = Capture("dsmr50_3ph_ISK5-2M550T-1012_dsmrtools.txt");
    TelegramSplitter splitter;
    std::vector<SplitEvent> events;
    splitter.Feed(telegram.substr(0, telegram.size() / 2), events);
    splitter.Feed(telegram, events);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_FALSE(events[0].complete);
    EXPECT_EQ(events[0].fault, Fault::CutShort);
    EXPECT_TRUE(events[1].complete);
    EXPECT_EQ(events[1].text, telegram);
    TelegramSplitter small(100);
    events.clear();
    small.Feed(telegram, events);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].fault, Fault::TooLong);
}

} // namespace
} // namespace meteremu::dsmr
