// SPDX-License-Identifier: MIT
#include "backends/http_json/presets.hpp"

#include <array>

namespace meteremu::http_json {
namespace {

struct PresetEntry {
    Preset preset;
    std::string_view name;
    std::string_view path;
};

constexpr std::array kPresets{
    PresetEntry{Preset::ShellyGen2, "shelly_gen2", "/rpc/EM.GetStatus?id=0"},
    PresetEntry{Preset::ShellyGen2Em1, "shelly_gen2_em1", "/rpc/EM1.GetStatus?id=0"},
    PresetEntry{Preset::ShellyGen1Em3, "shelly_gen1_3em", "/status"},
    PresetEntry{Preset::Tasmota, "tasmota", "/cm?cmnd=Status%2010"},
    PresetEntry{Preset::HomeWizardP1, "homewizard_p1", "/api/v1/data"},
};

const PresetEntry& Entry(Preset preset) noexcept {
    for (const auto& entry : kPresets)
        if (entry.preset == preset) return entry;
    return kPresets[0];
}

JsonPointer Pointer(std::string_view text) {
    return JsonPointer::Parse(text);
}

PowerField Net(std::string_view text) {
    return PowerField{Pointer(text), {}, {}, false};
}

PayloadMap ShellyGen2Map() {
    PayloadMap map;
    for (std::string prefix : {"/a_", "/b_", "/c_"}) {
        map.power.push_back(Net(prefix + "act_power"));
        auto& details = map.details[map.power.size() - 1];
        details.voltage = Pointer(prefix + "voltage");
        details.current = Pointer(prefix + "current");
        details.power_factor = Pointer(prefix + "pf");
        details.frequency = Pointer(prefix + "freq");
        details.aprt_power = Pointer(prefix + "aprt_power");
    }
    return map;
}

PayloadMap ShellyEm1Map() {
    PayloadMap map;
    map.power.push_back(Net("/act_power"));
    map.details[0] = {Pointer("/voltage"), Pointer("/current"), Pointer("/pf"), Pointer("/freq"),
                      Pointer("/aprt_power")};
    return map;
}

PayloadMap ShellyGen1Map() {
    PayloadMap map;
    for (int i = 0; i < 3; ++i) {
        std::string meter = "/emeters/" + std::to_string(i) + "/";
        map.power.push_back(Net(meter + "power"));
        // Gen1 counts in Wh: total taken from the grid, total_returned given back.
        map.energy.push_back({Pointer(meter + "total"), Pointer(meter + "total_returned")});
        map.details[i].voltage = Pointer(meter + "voltage");
        map.details[i].current = Pointer(meter + "current");
        map.details[i].power_factor = Pointer(meter + "pf");
    }
    return map;
}

PayloadMap TasmotaMap(const SmlFields& sml) {
    PayloadMap map;
    JsonPointer meter = JsonPointer::Child(Pointer("/StatusSNS"), sml.meter);
    map.power.push_back({JsonPointer::Child(meter, sml.power), {}, {}, false});
    if (!sml.import_energy.empty() && !sml.export_energy.empty())
        map.energy.push_back({JsonPointer::Child(meter, sml.import_energy),
                              JsonPointer::Child(meter, sml.export_energy)});
    map.energy_scale = 1000; // SML scripts usually count in kWh
    return map;
}

PayloadMap HomeWizardMap() {
    PayloadMap map;
    for (int phase = 1; phase <= 3; ++phase) {
        std::string suffix = "_l" + std::to_string(phase);
        PowerField field = Net("/active_power" + suffix + "_w");
        // Single-phase meters report only l1.
        field.optional = phase > 1;
        map.power.push_back(field);
        map.details[phase - 1].voltage = Pointer("/active_voltage" + suffix + "_v");
        map.details[phase - 1].current = Pointer("/active_current" + suffix + "_a");
        map.details[phase - 1].frequency = Pointer("/active_frequency_hz");
    }
    map.energy.push_back({Pointer("/total_power_import_kwh"), Pointer("/total_power_export_kwh")});
    map.energy_scale = 1000;
    return map;
}

} // namespace

std::optional<Preset> FindPreset(std::string_view name) noexcept {
    for (const auto& entry : kPresets)
        if (entry.name == name) return entry.preset;
    return std::nullopt;
}

std::string PresetNames() {
    std::string names;
    for (const auto& entry : kPresets)
        names += (names.empty() ? "" : ", ") + std::string(entry.name);
    return names;
}

std::string_view PresetName(Preset preset) noexcept {
    return Entry(preset).name;
}

std::string_view PresetPath(Preset preset) noexcept {
    return Entry(preset).path;
}

bool PresetUsesDigest(Preset preset) noexcept {
    return preset == Preset::ShellyGen2 || preset == Preset::ShellyGen2Em1;
}

PayloadMap PresetMap(Preset preset, const SmlFields& sml) {
    switch (preset) {
    case Preset::ShellyGen2:
        return ShellyGen2Map();
    case Preset::ShellyGen2Em1:
        return ShellyEm1Map();
    case Preset::ShellyGen1Em3:
        return ShellyGen1Map();
    case Preset::Tasmota:
        return TasmotaMap(sml);
    case Preset::HomeWizardP1:
        break;
    }
    return HomeWizardMap();
}

} // namespace meteremu::http_json
