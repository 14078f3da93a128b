// SPDX-License-Identifier: MIT
// The real Pro 3EM captures the golden tests compare with, the readings behind them, and the
// edits that turn a capture of the 63 A variant on firmware 2.0.0 into what an SPEM-003CEBEU
// on 1.6.1 (the device meteremu emulates) sends. Every edit must apply: a capture that
// changes under a test makes it fail instead of silently comparing less.
#pragma once

#include "core/mac_address.hpp"
#include "core/reading.hpp"
#include "support/temp_dir.hpp"
#include "util/json.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <utility>
#include <vector>

namespace meteremu::test {

inline constexpr const char* kSigellyDir = "shelly/sigelly_real_pro3em63_fw2.0.0/";

/// A file of the fw 2.0.0 capture set, e.g. Sigelly("rpc_Sys.GetStatus.json").
inline std::string Sigelly(const std::string& file) {
    return Fixture(kSigellyDir + file);
}

/// A capture pasted from a log or source file: those end with a newline the device never
/// sent, which is dropped.
inline std::string Pasted(const std::string& relative_path) {
    std::string text = Fixture(relative_path);
    if (text.ends_with('\n')) text.pop_back();
    return text;
}

/// The MAC of the device the 2.0.0 captures come from.
inline constexpr MacAddress kSigellyMac{0xe0, 0x8c, 0xfe, 0x96, 0xcc, 0xc4};

/// Values behind rpc_EM.GetStatus_id_0.json and rpc_EMData.GetStatus_id_0.json. The device
/// sums unrounded phase values, so totals need the digits the capture rounded away.
inline Reading SigellyEmReading() {
    Reading r;
    r[Phase::A] = {228.3, 6.112, 1387.097, 1394.747, 1.00, 49.9, 457085.63, 0.0};
    r[Phase::B] = {226.3, 0.024, 0.0, 5.4, 0.0, 49.9, 239950.03, 10955.4151};
    r[Phase::C] = {230.1, 0.032, 0.0, 7.4, 0.0, 49.9, 241496.75, 11510.8451};
    return r;
}

/// Values behind rpc_Shelly.GetStatus.json (taken two seconds earlier).
inline Reading SigellyStatusReading() {
    Reading r = SigellyEmReading();
    r[Phase::A] = {228.6, 6.122, 1393.199, 1398.56, 1.00, 50.0, 457085.63, 0.0};
    r[Phase::B] = {226.6, 0.024, 0.0, 5.4, 0.0, 50.0, 239950.03, 10955.4151};
    r[Phase::C] = {230.6, 0.031, 0.0, 7.272, 0.0, 50.0, 241496.75, 11510.8451};
    return r;
}

using Edits = std::vector<std::pair<std::string, std::string>>;

/// Replaces every occurrence of each `from` by its `to`; a `from` that is absent fails the test.
inline std::string Edit(std::string text, const Edits& edits) {
    for (const auto& [from, to] : edits) {
        size_t at = text.find(from);
        EXPECT_NE(at, std::string::npos) << "edit does not apply: " << from;
        for (; at != std::string::npos; at = text.find(from, at + to.size()))
            text.replace(at, from.size(), to);
    }
    return text;
}

/// The 63 A variant's names → SPEM-003CEBEU (tests/fixtures/PROVENANCE.md).
inline const Edits& VariantEdits() {
    static const Edits edits{{"shellypro3em63-", "shellypro3em-"},
                             {"SPEM-003CEBEU63", "SPEM-003CEBEU"},
                             {"\"ct_type\":\"3x63A\"", "\"ct_type\":\"120A\""},
                             {"ShellyPro3EM63-", "ShellyPro3EM-"}};
    return edits;
}

/// Firmware 2.0.0 → 1.6.1, the version meteremu reports.
inline const Edits& FirmwareEdits() {
    static const Edits edits{{"20260710-101221/2.0.0-g87fbfa4", "20250508-110717/1.6.1-g8dbd358"}};
    return edits;
}

/// Only the edits of `edits` whose `from` occurs in `text` (for shared edit lists).
inline Edits Applicable(const std::string& text, const Edits& edits) {
    Edits applicable;
    for (const auto& edit : edits)
        if (text.find(edit.first) != std::string::npos) applicable.push_back(edit);
    return applicable;
}

/// The capture with the variant and firmware edits that apply to it, then `more`.
inline std::string Adapted(const std::string& capture, const Edits& more = {}) {
    std::string text = Edit(capture, Applicable(capture, VariantEdits()));
    text = Edit(text, Applicable(text, FirmwareEdits()));
    return Edit(text, more);
}

/// Every scalar value of `keys` replaced by '#': for values that differ by device or moment
/// (uptime, free memory), so the bytes around them still compare.
inline std::string Mask(std::string json, const std::vector<std::string>& keys) {
    for (const auto& key : keys) {
        std::regex value("\"" + key + "\":( ?)(-?[0-9.]+|\"[^\"]*\"|null|true|false)");
        json = std::regex_replace(json, value, "\"" + key + "\":$1#");
    }
    return json;
}

/// The value of key `key` in `json`, as the bytes it was written with, up to the next key.
inline std::string Member(const std::string& json, const std::string& key,
                          const std::string& next) {
    auto start = json.find("\"" + key + "\":");
    auto end = json.find(",\"" + next + "\":", start);
    EXPECT_NE(start, std::string::npos) << key << " in " << json;
    EXPECT_NE(end, std::string::npos) << next << " in " << json;
    if (start == std::string::npos || end == std::string::npos) return {};
    start += key.size() + 3;
    return json.substr(start, end - start);
}

/// Top-level keys of a JSON object, in order.
inline std::vector<std::string> Keys(const std::string& json) {
    json_error_t error;
    JsonPtr root(json_loads(json.c_str(), JSON_PRESERVE_ORDER, &error));
    EXPECT_TRUE(root) << error.text << "\n" << json;
    std::vector<std::string> keys;
    const char* key;
    json_t* value;
    json_object_foreach(root.get(), key, value) keys.emplace_back(key);
    return keys;
}

} // namespace meteremu::test
