// SPDX-License-Identifier: MIT
#include "backends/dsmr_p1/telegram.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace meteremu::dsmr {
namespace {

bool IsHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

/// The CRC text after "!", up to the end of its line (1 to 4 hex digits; some meters leave
/// out leading zeros).
std::string_view CrcText(std::string_view telegram, std::size_t bang) {
    std::string_view rest = telegram.substr(bang + 1);
    std::size_t end = rest.find_first_of("\r\n");
    return rest.substr(0, end);
}

/// Scale of a unit to W, Wh, V, A or Hz, for the quantity `kind` ('P' power, 'E' energy).
std::optional<double> Scale(std::string_view unit, char kind) {
    if (kind == 'P') {
        if (unit == "kW") return 1000.0;
        if (unit == "W") return 1.0;
    } else if (kind == 'E') {
        if (unit == "kWh") return 1000.0;
        if (unit == "Wh") return 1.0;
    } else {
        bool matches = (kind == 'V' && unit == "V") || (kind == 'A' && unit == "A") ||
                       (kind == 'F' && unit == "Hz");
        if (matches) return 1.0;
    }
    return std::nullopt;
}

/// "(00.433*kW)" at the start of `text` as 433 (kind 'P'); throws Malformed naming `id`.
double Value(std::string_view id, std::string_view text, char kind) {
    auto fail = [&]() -> double {
        throw TelegramError(Fault::Malformed, "unreadable value of " + std::string(id) + ": " +
                                                  std::string(text.substr(0, 24)));
    };
    std::size_t close = text.find(')');
    std::size_t star = text.find('*');
    if (text.empty() || text[0] != '(' || close == std::string_view::npos || star > close)
        return fail();
    std::string_view number = text.substr(1, star - 1);
    double value = 0;
    auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), value);
    auto scale = Scale(text.substr(star + 1, close - star - 1), kind);
    if (error != std::errc() || end != number.data() + number.size() || !scale ||
        !std::isfinite(value) || value < 0)
        return fail();
    return value * *scale;
}

struct Field {
    std::string_view id; ///< after "1-0:"
    char kind;
    void (*store)(P1Values&, double);
};

// clang-format off
constexpr Field kFields[] = {
    {"1.7.0", 'P', [](P1Values& v, double x) { v.import_w = x; }},
    {"2.7.0", 'P', [](P1Values& v, double x) { v.export_w = x; }},
    {"21.7.0", 'P', [](P1Values& v, double x) { v.phase_import_w[0] = x; }},
    {"41.7.0", 'P', [](P1Values& v, double x) { v.phase_import_w[1] = x; }},
    {"61.7.0", 'P', [](P1Values& v, double x) { v.phase_import_w[2] = x; }},
    {"22.7.0", 'P', [](P1Values& v, double x) { v.phase_export_w[0] = x; }},
    {"42.7.0", 'P', [](P1Values& v, double x) { v.phase_export_w[1] = x; }},
    {"62.7.0", 'P', [](P1Values& v, double x) { v.phase_export_w[2] = x; }},
    {"32.7.0", 'V', [](P1Values& v, double x) { v.voltage[0] = x; }},
    {"52.7.0", 'V', [](P1Values& v, double x) { v.voltage[1] = x; }},
    {"72.7.0", 'V', [](P1Values& v, double x) { v.voltage[2] = x; }},
    {"31.7.0", 'A', [](P1Values& v, double x) { v.current[0] = x; }},
    {"51.7.0", 'A', [](P1Values& v, double x) { v.current[1] = x; }},
    {"71.7.0", 'A', [](P1Values& v, double x) { v.current[2] = x; }},
    {"14.7.0", 'F', [](P1Values& v, double x) { v.frequency = x; }},
};
// clang-format on

/// Energy counters: the total (x.8.0) when sent, else the sum of the tariffs (x.8.1 …).
struct Counters {
    std::optional<double> total;
    std::optional<double> tariffs;

    void Add(char tariff, double wh) {
        if (tariff == '0')
            total = wh;
        else
            tariffs = tariffs.value_or(0) + wh;
    }
    std::optional<double> Value() const { return total ? total : tariffs; }
};

void ReadLine(std::string_view line, P1Values& values, Counters& import, Counters& export_,
              bool& has_import) {
    constexpr std::string_view kElectricity = "1-0:";
    if (!line.starts_with(kElectricity)) return;
    std::size_t open = line.find('(');
    if (open == std::string_view::npos) return;
    std::string_view id = line.substr(kElectricity.size(), open - kElectricity.size());
    std::string_view value = line.substr(open);
    for (const Field& field : kFields) {
        if (id != field.id) continue;
        field.store(values, Value(line.substr(0, open), value, field.kind));
        has_import |= id == "1.7.0";
        return;
    }
    // 1.8.0 … 1.8.4 and 2.8.0 … 2.8.4
    if (id.size() == 5 && id.substr(1, 3) == ".8." && id[4] >= '0' && id[4] <= '4') {
        if (id[0] == '1') import.Add(id[4], Value(line.substr(0, open), value, 'E'));
        if (id[0] == '2') export_.Add(id[4], Value(line.substr(0, open), value, 'E'));
    }
}

} // namespace

std::uint16_t Crc16Arc(std::string_view bytes) noexcept {
    std::uint16_t crc = 0;
    for (char c : bytes) {
        crc ^= static_cast<std::uint8_t>(c);
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc & 1) ? static_cast<std::uint16_t>((crc >> 1) ^ 0xA001)
                            : static_cast<std::uint16_t>(crc >> 1);
    }
    return crc;
}

void CheckTelegram(std::string_view telegram, bool crc_required) {
    std::size_t bang = telegram.rfind('!');
    if (telegram.empty() || telegram[0] != '/' || bang == std::string_view::npos)
        throw TelegramError(Fault::Malformed, "not a telegram (no \"/\" ... \"!\")");
    std::string_view crc = CrcText(telegram, bang);
    if (crc.empty()) {
        if (crc_required)
            throw TelegramError(Fault::Checksum, "telegram without CRC (DSMR 4 and 5 send one; "
                                                 "set dsmr_version for an older meter)");
        return;
    }
    if (crc.size() > 4 || !std::all_of(crc.begin(), crc.end(), IsHex))
        throw TelegramError(Fault::Checksum,
                            "unreadable CRC \"" + std::string(crc.substr(0, 8)) + "\"");
    unsigned sent = 0;
    std::from_chars(crc.data(), crc.data() + crc.size(), sent, 16);
    std::uint16_t computed = Crc16Arc(telegram.substr(0, bang + 1));
    if (sent != computed) {
        char text[64];
        std::snprintf(text, sizeof text, "CRC mismatch: telegram says %04X, its bytes give %04X",
                      sent, computed);
        throw TelegramError(Fault::Checksum, text);
    }
}

P1Values ParseTelegram(std::string_view telegram) {
    P1Values values;
    Counters import;
    Counters export_;
    bool has_import = false;
    std::size_t at = 0;
    while (at < telegram.size()) {
        std::size_t end = telegram.find('\n', at);
        std::string_view line = telegram.substr(at, end == std::string_view::npos ? end : end - at);
        while (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (at == 0 && line.starts_with('/')) values.meter = std::string(line.substr(1));
        ReadLine(line, values, import, export_, has_import);
        if (end == std::string_view::npos) break;
        at = end + 1;
    }
    if (!has_import)
        throw TelegramError(Fault::Missing, "telegram without electricity power (1-0:1.7.0)");
    values.import_wh = import.Value();
    values.export_wh = export_.Value();
    return values;
}

Reading ToReading(const P1Values& values, WallTime measured_at) {
    Reading reading;
    reading.measured_at = measured_at;
    bool per_phase = std::any_of(values.phase_import_w.begin(), values.phase_import_w.end(),
                                 [](const auto& w) { return w.has_value(); });
    for (std::size_t i = 0; i < kPhaseCount; ++i) {
        PhaseReading& phase = reading.phases[i];
        if (per_phase)
            phase.act_power =
                values.phase_import_w[i].value_or(0) - values.phase_export_w[i].value_or(0);
        else if (i == 0)
            phase.act_power = values.import_w - values.export_w;
        // P1 reports no apparent power: at least the active power's magnitude.
        phase.aprt_power = std::abs(phase.act_power);
        phase.power_factor = PowerFactor(phase.act_power, phase.aprt_power);
        phase.voltage = values.voltage[i].value_or(0);
        phase.current = values.current[i].value_or(0);
        phase.frequency = values.frequency.value_or(0);
    }
    reading.phases[0].import_wh = values.import_wh.value_or(0);
    reading.phases[0].export_wh = values.export_wh.value_or(0);
    return reading;
}

} // namespace meteremu::dsmr
