// SPDX-License-Identifier: MIT
// Fuzz target: the http_json backend's JSON pointers and payload mapping. An input starting
// with '/' is a pointer (its first line) and a payload (the rest); any other input is a
// payload alone, read through a few fixed pointers. The payload is mapped by every preset and
// by the pointer as a total, as an import/export pair and as three phases; whatever comes
// out must be a whole, bounded reading.
#include "backends/http_json/payload_map.hpp"
#include "backends/http_json/presets.hpp"
#include "fuzz/fuzz_support.hpp"

#include <cmath>
#include <string>

namespace {

using namespace meteremu;
using namespace meteremu::http_json;

void Check(const Reading& reading) {
    for (const PhaseReading& phase : reading.phases) {
        fuzz::Require(std::isfinite(phase.act_power) && std::abs(phase.act_power) <= 1e7,
                      "power finite and bounded");
        fuzz::Require(phase.current >= 0 && phase.aprt_power >= 0 && phase.voltage >= 0 &&
                          phase.frequency >= 0,
                      "magnitudes never negative");
        fuzz::Require(phase.power_factor >= -1 && phase.power_factor <= 1, "pf within -1 .. 1");
        fuzz::Require(phase.import_wh >= 0 && phase.export_wh >= 0 &&
                          std::isfinite(phase.import_wh) && std::isfinite(phase.export_wh),
                      "counters finite and never negative");
    }
}

void Map(std::string_view payload, const PayloadMap& map) {
    try {
        Check(MapPayload(payload, map));
    } catch (const PayloadError&) {
    }
}

PayloadMap Generic(const JsonPointer& pointer, int shape) {
    PayloadMap map;
    if (shape == 0) map.power.push_back({pointer, {}, {}, false});
    if (shape == 1)
        map.power.push_back({pointer, pointer, JsonPointer::Child(pointer, "out"), false});
    if (shape == 2)
        for (const char* key : {"0", "1", "2"})
            map.power.push_back({JsonPointer::Child(pointer, key), {}, {}, false});
    map.energy.push_back({JsonPointer::Child(pointer, "in"), JsonPointer::Child(pointer, "out")});
    map.scale = shape == 1 ? 1000 : 1;
    map.invert = shape == 2;
    return map;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input = fuzz::AsText(data, size);
    JsonPointer pointer = JsonPointer::Parse("/power");
    std::string_view payload = input;
    if (input.starts_with('/')) {
        std::size_t end = input.find('\n');
        try {
            pointer = JsonPointer::Parse(input.substr(0, end));
            fuzz::Require(pointer.Text() == input.substr(0, end), "the text is kept");
        } catch (const std::invalid_argument&) {
            return 0;
        }
        payload = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
    }
    for (Preset preset :
         {Preset::ShellyGen2, Preset::ShellyGen2Em1, Preset::ShellyGen1Em3, Preset::HomeWizardP1})
        Map(payload, PresetMap(preset));
    Map(payload, PresetMap(Preset::Tasmota, {"SML", "curr_w", "total_kwh", "export_total_kwh"}));
    for (int shape = 0; shape < 3; ++shape)
        Map(payload, Generic(pointer, shape));
    return 0;
}
