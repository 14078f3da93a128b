// SPDX-License-Identifier: MIT
#include "frontends/ct002/meter_memory.hpp"

#include "util/json_writer.hpp"

namespace meteremu::ct002 {
namespace {

std::string_view PhaseName(Phase phase) noexcept {
    switch (phase) {
    case Phase::Detecting:
        return "detecting";
    case Phase::A:
        return "A";
    case Phase::B:
        return "B";
    case Phase::C:
        return "C";
    case Phase::Sum:
        return "sum";
    }
    return "?";
}

/// The 12 hex digits of a MAC's 48 bits.
std::string MacText(std::uint64_t key) {
    std::string text(12, '0');
    for (std::size_t i = 12; i-- > 0; key >>= 4)
        text[i] = "0123456789abcdef"[key & 0xf];
    return text;
}

void AppendBattery(std::string& out, const Battery& battery, SteadyTime now) {
    out += "{\"type\":";
    json::AppendString(out, battery.type);
    out += ",\"mac\":";
    json::AppendString(out, battery.mac);
    out += ",\"phase\":";
    json::AppendString(out, PhaseName(battery.phase));
    out += ",\"power_w\":";
    json::AppendInteger(out, battery.power);
    out += ",\"target_w\":";
    if (battery.target_w)
        json::AppendInteger(out, *battery.target_w);
    else
        out += "null";
    out += ",\"counted\":";
    json::AppendBool(out, battery.participates);
    out += ",\"poll_interval_s\":";
    json::AppendFixedOrNull(out,
                            battery.poll_interval.count() > 0
                                ? std::optional(battery.poll_interval.count())
                                : std::nullopt,
                            2);
    out += ",\"first_seen_s_ago\":";
    json::AppendFixed(out, Seconds(now - battery.first_seen).count(), 1);
    out += ",\"last_seen_s_ago\":";
    json::AppendFixed(out, Seconds(now - battery.last_seen).count(), 1);
    out += '}';
}

} // namespace

std::string MetersStatusJson(std::span<const MeterMemory> meters, SteadyTime now) {
    std::string out = "{\"meters\":[";
    for (const MeterMemory& meter : meters) {
        if (out.back() != '[') out += ',';
        out += "{\"ct_mac\":";
        if (meter.key == 0)
            out += "null";
        else
            json::AppendString(out, MacText(meter.key));
        out += meter.active ? ",\"mode\":\"active\"" : ",\"mode\":\"relay\"";
        out += ",\"batteries\":[";
        for (const Battery& battery : meter.batteries.Live(now)) {
            if (out.back() != '[') out += ',';
            AppendBattery(out, battery, now);
        }
        out += "]}";
    }
    out += "]}";
    return out;
}

} // namespace meteremu::ct002
