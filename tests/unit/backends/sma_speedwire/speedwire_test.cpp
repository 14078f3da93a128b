// SPDX-License-Identifier: MIT
// The Speedwire parser against every capture in tests/fixtures/sma_speedwire/ (expected values
// from its expected.json), and against datagrams made here for what the captures lack: export
// on some phases, another protocol, records missing or cut short.
#include "backends/sma_speedwire/speedwire.hpp"
#include "support/temp_dir.hpp"
#include "util/json.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace meteremu::sma {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes Capture(const std::string& name) {
    std::string text = test::Fixture("sma_speedwire/" + name);
    return Bytes(text.begin(), text.end());
}

JsonPtr Expected() {
    std::string text = test::Fixture("sma_speedwire/expected.json");
    JsonPtr json(json_loadb(text.data(), text.size(), 0, nullptr));
    EXPECT_TRUE(json) << "expected.json is not JSON";
    return json;
}

double Number(json_t* object, const char* key) {
    json_t* value = json_object_get(object, key);
    EXPECT_TRUE(json_is_number(value)) << key;
    return json_number_value(value);
}

void ExpectPhase(const MeterPhase& phase, json_t* expected, int number) {
    std::string l = "L" + std::to_string(number);
    EXPECT_NEAR(phase.import_w, Number(expected, ("p_import_" + l + "_W").c_str()), 1e-9) << l;
    EXPECT_NEAR(phase.export_w, Number(expected, ("p_export_" + l + "_W").c_str()), 1e-9) << l;
    json_t* voltage = json_array_get(json_object_get(expected, "voltage_V"), number - 1);
    json_t* current = json_array_get(json_object_get(expected, "current_A"), number - 1);
    EXPECT_NEAR(phase.voltage, json_number_value(voltage), 1e-9) << l;
    EXPECT_NEAR(phase.current, json_number_value(current), 1e-9) << l;
}

void ExpectCapture(const char* name, json_t* expected) {
    SCOPED_TRACE(name);
    Bytes bytes = Capture(name);
    ASSERT_EQ(bytes.size(), Number(expected, "datagram_bytes"));
    auto meter = ParseMeterDatagram(bytes);
    ASSERT_TRUE(meter);
    EXPECT_EQ(meter->susy_id, Number(expected, "susy_id"));
    EXPECT_EQ(meter->serial, Number(expected, "serial"));
    EXPECT_EQ(meter->ticker_ms, Number(expected, "ticker_ms"));
    EXPECT_EQ(meter->firmware, json_string_value(json_object_get(expected, "firmware")));
    EXPECT_NEAR(meter->import_w, Number(expected, "p_import_total_W"), 1e-9);
    EXPECT_NEAR(meter->export_w, Number(expected, "p_export_total_W"), 1e-9);
    ASSERT_TRUE(meter->import_ws && meter->export_ws);
    EXPECT_NEAR(*meter->import_ws / 3.6e6, Number(expected, "energy_import_kWh"), 1e-4);
    EXPECT_NEAR(*meter->export_ws / 3.6e6, Number(expected, "energy_export_kWh"), 1e-4);
    json_t* frequency = json_object_get(expected, "frequency_Hz");
    EXPECT_EQ(meter->frequency.has_value(), !json_is_null(frequency));
    if (meter->frequency) {
        EXPECT_NEAR(*meter->frequency, json_number_value(frequency), 1e-9);
    }
    for (int i = 0; i < 3; ++i)
        ExpectPhase(meter->phases[static_cast<std::size_t>(i)], expected, i + 1);

    Reading reading = ToReading(*meter, WallTime{});
    const char* grid[] = {"grid_L1_W", "grid_L2_W", "grid_L3_W"};
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_NEAR(reading.phases[i].act_power, Number(expected, grid[i]), 1e-9) << grid[i];
        EXPECT_NEAR(reading.phases[i].import_wh,
                    static_cast<double>(*meter->phases[i].import_ws) / 3600, 1e-9);
    }
    // The meter rounds each phase and its total to 0.1 W on its own.
    EXPECT_NEAR(reading.TotalActPower(), Number(expected, "grid_total_W"), 0.15);
}

TEST(SpeedwireTest, EveryCaptureDecodesToItsExpectedValues) {
    JsonPtr expected = Expected();
    ASSERT_TRUE(json_is_object(expected.get()));
    ASSERT_GE(json_object_size(expected.get()), 13u);
    const char* name = nullptr;
    json_t* values = nullptr;
    json_object_foreach(expected.get(), name, values) ExpectCapture(name, values);
}

TEST(SpeedwireTest, DeviceNames) {
    EXPECT_EQ(DeviceName(270), "Energy Meter 1.0");
    EXPECT_EQ(DeviceName(349), "Energy Meter 2.0");
    EXPECT_EQ(DeviceName(372), "Sunny Home Manager 2.0");
    EXPECT_EQ(DeviceName(7), "SMA device type 7");
}

/// A meter datagram built record by record, for the cases no capture shows.
class Datagram {
public:
    explicit Datagram(std::uint16_t protocol = kEnergyMeterProtocol) {
        Append({'S', 'M', 'A', 0, 0, 4, 0x02, 0xa0, 0, 0, 0, 1, 0, 0, 0, 0x10});
        Put(protocol, 2);
        Put(349, 2);
        Put(1901400001, 4);
        Put(1000, 4);
    }
    Datagram& Actual(std::uint8_t index, std::uint32_t value) {
        Append({0, index, 4, 0});
        Put(value, 4);
        return *this;
    }
    Datagram& Counter(std::uint8_t index, std::uint64_t value) {
        Append({0, index, 8, 0});
        Put(value, 8);
        return *this;
    }
    /// P+ and P− (in 0.1 W) of the meter and of each phase.
    Datagram& Powers(std::array<std::array<std::uint32_t, 2>, 4> powers) {
        for (std::uint8_t i = 0; i < 4; ++i)
            Actual(static_cast<std::uint8_t>(i * 20 + 1), powers[i][0])
                .Actual(static_cast<std::uint8_t>(i * 20 + 2), powers[i][1]);
        return *this;
    }
    Bytes Finish() const {
        Bytes bytes = bytes_;
        std::size_t length = bytes.size() - 16; // from the protocol id on
        bytes[12] = static_cast<std::uint8_t>(length >> 8);
        bytes[13] = static_cast<std::uint8_t>(length);
        bytes.insert(bytes.end(), {0, 0, 0, 0});
        return bytes;
    }

private:
    void Append(std::initializer_list<std::uint8_t> bytes) { bytes_.insert(bytes_.end(), bytes); }
    void Put(std::uint64_t value, int size) {
        for (int shift = (size - 1) * 8; shift >= 0; shift -= 8)
            bytes_.push_back(static_cast<std::uint8_t>(value >> shift));
    }
    Bytes bytes_;
};

TEST(SpeedwireTest, ExportOnSomePhasesGivesNegativePowerThere) {
    // Importing 333.0 W on L1 while exporting 196.5 W on L2 and 204.8 W on L3: the meter
    // as a whole exports 68.3 W.
    Bytes bytes = Datagram()
                      .Powers({{{0, 683}, {3330, 0}, {0, 1965}, {0, 2048}}})
                      .Counter(1, 3'600'000)
                      .Counter(2, 7'200'000)
                      .Finish();
    auto meter = ParseMeterDatagram(bytes);
    ASSERT_TRUE(meter);
    Reading reading = ToReading(*meter, WallTime{});
    EXPECT_DOUBLE_EQ(reading.phases[0].act_power, 333.0);
    EXPECT_DOUBLE_EQ(reading.phases[1].act_power, -196.5);
    EXPECT_DOUBLE_EQ(reading.phases[2].act_power, -204.8);
    EXPECT_NEAR(reading.TotalActPower(), -68.3, 1e-9);
    EXPECT_LT(reading.phases[1].power_factor, 0);
    // Without per-phase counters the meter's own totals are kept (on the first phase).
    EXPECT_DOUBLE_EQ(reading.TotalImportWh(), 1000.0);
    EXPECT_DOUBLE_EQ(reading.TotalExportWh(), 2000.0);
}

TEST(SpeedwireTest, OtherSmaProtocolsAreNoMeter) {
    EXPECT_FALSE(ParseMeterDatagram(Datagram(0x6065).Powers({}).Finish()));
    // SMA's discovery request: a group tag, an empty tag 0x0020, the end tag.
    Bytes discovery{'S',  'M',  'A', 0, 0,    4, 0x02, 0xa0, 0xff, 0xff,
                    0xff, 0xff, 0,   0, 0x20, 0, 0,    0,    0,    0};
    EXPECT_FALSE(ParseMeterDatagram(discovery));
}

TEST(SpeedwireTest, MissingPowerIsRefusedNamingIt) {
    Bytes bytes = Datagram().Actual(1, 10).Actual(2, 0).Actual(21, 10).Actual(22, 0).Finish();
    try {
        ParseMeterDatagram(bytes);
        FAIL() << "a datagram without L2 and L3 was accepted";
    } catch (const SpeedwireError& error) {
        EXPECT_STREQ(error.what(), "meter datagram without P+ of L2 (OBIS 0:41.4.0)");
    }
}

TEST(SpeedwireTest, EveryCutOfACaptureIsRefusedOrIgnored) {
    Bytes whole = Capture("shm20_fw2.15.7R_unimeter-issue36_import621W.bin");
    for (std::size_t size = 0; size < whole.size(); ++size) {
        Bytes cut(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(size));
        EXPECT_THROW(ParseMeterDatagram(cut), SpeedwireError) << size << " bytes";
    }
    Bytes garbage(600, 0x5a);
    EXPECT_THROW(ParseMeterDatagram(garbage), SpeedwireError);
    Bytes long_tag = whole;
    long_tag[12] = 0x7f; // the data tag claims more bytes than the datagram has
    EXPECT_THROW(ParseMeterDatagram(long_tag), SpeedwireError);
}

} // namespace
} // namespace meteremu::sma
