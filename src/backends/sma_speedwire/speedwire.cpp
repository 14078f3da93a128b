// SPDX-License-Identifier: MIT
#include "backends/sma_speedwire/speedwire.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace meteremu::sma {
namespace {

constexpr std::uint8_t kMagic[4] = {'S', 'M', 'A', 0};
constexpr std::uint16_t kEndTag = 0x0000;
constexpr std::uint16_t kDataTag = 0x0010; ///< "data2": protocol id, then its payload
/// Protocol id, SUSy id, serial, ticker.
constexpr std::size_t kMeterHeaderBytes = 12;
/// OBIS channel byte of the firmware version record (144.0.0.0).
constexpr std::uint8_t kVersionChannel = 0x90;

std::uint64_t BigEndian(std::span<const std::uint8_t> bytes) {
    std::uint64_t value = 0;
    for (std::uint8_t byte : bytes)
        value = value << 8 | byte;
    return value;
}

/// The records a meter datagram must or may carry, by OBIS measurement index (the "c" of
/// 0:c.d.0): 1/2 P+/P− of the meter, 21/22, 41/42, 61/62 of L1, L2, L3; 9/10 S+/S− (+20 per
/// phase); 31/32 current and voltage (+20 per phase); 14 frequency.
struct Records {
    std::array<std::optional<std::uint32_t>, 256> actual{};
    std::array<std::optional<std::uint64_t>, 256> counter{};
    std::string firmware;
};

std::string Firmware(std::span<const std::uint8_t> value) {
    std::string text =
        std::to_string(value[0]) + "." + std::to_string(value[1]) + "." + std::to_string(value[2]);
    char release = static_cast<char>(value[3]);
    if (release >= 'A' && release <= 'Z') text += std::string(".") + release;
    return text;
}

/// Walks the OBIS records: 4 bytes of channel, index, type and tariff, then 8 bytes for a
/// counter (type 8), else 4. The walk must end exactly where the data tag ends.
Records ReadRecords(std::span<const std::uint8_t> payload) {
    Records records;
    std::size_t at = 0;
    while (at < payload.size()) {
        if (payload.size() - at < 8) throw SpeedwireError("an OBIS record is cut short");
        std::uint8_t channel = payload[at];
        std::uint8_t index = payload[at + 1];
        std::uint8_t type = payload[at + 2];
        std::size_t length = type == 8 ? 8 : 4;
        if (payload.size() - at - 4 < length) throw SpeedwireError("an OBIS record is cut short");
        auto value = payload.subspan(at + 4, length);
        if (channel == 0 && type == 4)
            records.actual[index] = static_cast<std::uint32_t>(BigEndian(value));
        else if (channel == 0 && type == 8)
            records.counter[index] = BigEndian(value);
        else if (channel == kVersionChannel)
            records.firmware = Firmware(value);
        at += 4 + length;
    }
    return records;
}

double Required(const Records& records, int index, const char* what) {
    const auto& value = records.actual[static_cast<std::size_t>(index)];
    if (!value)
        throw SpeedwireError(std::string("meter datagram without ") + what +
                             " (OBIS 0:" + std::to_string(index) + ".4.0)");
    return *value / 10.0;
}

double Optional(const Records& records, int index, double scale) {
    const auto& value = records.actual[static_cast<std::size_t>(index)];
    return value ? *value / scale : 0.0;
}

MeterPhase ReadPhase(const Records& records, int base, const char* import, const char* export_) {
    auto counter = [&](int index) { return records.counter[static_cast<std::size_t>(index)]; };
    MeterPhase phase;
    phase.import_w = Required(records, base + 1, import);
    phase.export_w = Required(records, base + 2, export_);
    phase.import_va = Optional(records, base + 9, 10.0);
    phase.export_va = Optional(records, base + 10, 10.0);
    phase.current = Optional(records, base + 11, 1000.0);
    phase.voltage = Optional(records, base + 12, 1000.0);
    phase.import_ws = counter(base + 1);
    phase.export_ws = counter(base + 2);
    return phase;
}

MeterDatagram ReadMeter(std::span<const std::uint8_t> data) {
    if (data.size() < kMeterHeaderBytes) throw SpeedwireError("meter datagram header cut short");
    MeterDatagram meter;
    meter.susy_id = static_cast<std::uint16_t>(BigEndian(data.subspan(2, 2)));
    meter.serial = static_cast<std::uint32_t>(BigEndian(data.subspan(4, 4)));
    meter.ticker_ms = static_cast<std::uint32_t>(BigEndian(data.subspan(8, 4)));
    Records records = ReadRecords(data.subspan(kMeterHeaderBytes));
    meter.import_w = Required(records, 1, "P+ of the meter");
    meter.export_w = Required(records, 2, "P- of the meter");
    meter.import_ws = records.counter[1];
    meter.export_ws = records.counter[2];
    if (records.actual[14]) meter.frequency = *records.actual[14] / 1000.0;
    meter.phases[0] = ReadPhase(records, 20, "P+ of L1", "P- of L1");
    meter.phases[1] = ReadPhase(records, 40, "P+ of L2", "P- of L2");
    meter.phases[2] = ReadPhase(records, 60, "P+ of L3", "P- of L3");
    meter.firmware = std::move(records.firmware);
    return meter;
}

} // namespace

std::optional<MeterDatagram> ParseMeterDatagram(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
        throw SpeedwireError("not an SMA datagram (no \"SMA\" signature)");
    // The tag list: 2 bytes of length, 2 of tag, then the tag's data; an empty tag 0 ends it.
    // The whole list is walked, so a datagram cut anywhere is refused.
    std::optional<std::span<const std::uint8_t>> meter_data;
    bool other_protocol = false;
    std::size_t at = sizeof kMagic;
    while (true) {
        if (bytes.size() - at < 4) throw SpeedwireError("SMA datagram cut short (no end tag)");
        auto length = static_cast<std::size_t>(BigEndian(bytes.subspan(at, 2)));
        auto tag = static_cast<std::uint16_t>(BigEndian(bytes.subspan(at + 2, 2)));
        at += 4;
        if (tag == kEndTag && length == 0) break;
        if (bytes.size() - at < length) throw SpeedwireError("SMA tag longer than the datagram");
        auto data = bytes.subspan(at, length);
        at += length;
        if (tag != kDataTag || data.size() < 2 || meter_data) continue;
        if (BigEndian(data.first(2)) == kEnergyMeterProtocol)
            meter_data = data;
        else
            other_protocol = true;
    }
    if (!meter_data || other_protocol) return std::nullopt;
    return ReadMeter(*meter_data);
}

Reading ToReading(const MeterDatagram& datagram, WallTime measured_at) {
    Reading reading;
    reading.measured_at = measured_at;
    // Per-phase counters when the meter sends them all; otherwise the meter's own totals on
    // the first phase, so the totals a frontend adds up are still the meter's.
    bool phase_counters =
        std::all_of(datagram.phases.begin(), datagram.phases.end(),
                    [](const MeterPhase& p) { return p.import_ws && p.export_ws; });
    for (std::size_t i = 0; i < kPhaseCount; ++i) {
        const MeterPhase& source = datagram.phases[i];
        PhaseReading& phase = reading.phases[i];
        phase.act_power = source.import_w - source.export_w;
        phase.aprt_power = std::max(source.import_va + source.export_va, std::abs(phase.act_power));
        phase.power_factor = PowerFactor(phase.act_power, phase.aprt_power);
        phase.voltage = source.voltage;
        phase.current = source.current;
        phase.frequency = datagram.frequency.value_or(0.0);
        if (phase_counters) {
            phase.import_wh = static_cast<double>(*source.import_ws) / 3600.0;
            phase.export_wh = static_cast<double>(*source.export_ws) / 3600.0;
        }
    }
    if (!phase_counters) {
        reading.phases[0].import_wh = static_cast<double>(datagram.import_ws.value_or(0)) / 3600.0;
        reading.phases[0].export_wh = static_cast<double>(datagram.export_ws.value_or(0)) / 3600.0;
    }
    return reading;
}

std::string DeviceName(std::uint16_t susy_id) {
    switch (susy_id) {
    case 270:
        return "Energy Meter 1.0";
    case 349:
        return "Energy Meter 2.0";
    case 372:
    case 501:
        return "Sunny Home Manager 2.0";
    default:
        return "SMA device type " + std::to_string(susy_id);
    }
}

} // namespace meteremu::sma
