// SPDX-License-Identifier: MIT
// The meters http_json knows by name: where each serves its reading and which fields make it
// (docs/protocols/http_json.md#presets). A preset needs only the device's host.
#pragma once

#include "backends/http_json/payload_map.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meteremu::http_json {

enum class Preset {
    ShellyGen2,    ///< Pro 3EM (triphase profile): EM.GetStatus
    ShellyGen2Em1, ///< Pro EM-50 and other EM1 devices: EM1.GetStatus, channel 0
    ShellyGen1Em3, ///< Shelly 3EM (Gen1): /status, emeters[0..2]
    Tasmota,       ///< Tasmota with an SML script: Status 10, fields named by the script
    HomeWizardP1,  ///< HomeWizard P1 meter, local API v1
};

std::optional<Preset> FindPreset(std::string_view name) noexcept;
/// "shelly_gen2, shelly_gen2_em1, ...", for messages.
std::string PresetNames();
std::string_view PresetName(Preset preset) noexcept;

/// The path (with query) the preset polls, e.g. "/rpc/EM.GetStatus?id=0".
std::string_view PresetPath(Preset preset) noexcept;
/// Shelly Gen2 devices ask for Digest (SHA-256) as user "admin"; the others take Basic.
bool PresetUsesDigest(Preset preset) noexcept;

/// Which fields of a Tasmota StatusSNS object hold the values: names from the user's SML
/// script (its meter name and the names of its lines).
struct SmlFields {
    std::string meter;
    std::string power;
    std::string import_energy; ///< optional, with export_energy
    std::string export_energy;
};

/// The fields of the preset; `sml` only for Tasmota. Scales are the device's units.
PayloadMap PresetMap(Preset preset, const SmlFields& sml = {});

} // namespace meteremu::http_json
