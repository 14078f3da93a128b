// SPDX-License-Identifier: MIT
// The meter methods beyond status and config: CT types and the energy history. meteremu
// keeps no history, so the history methods answer the shapes of a device whose records
// were just cleared (no data blocks), which is what the API allows.
#include "frontends/shelly/methods.hpp"
#include "util/json_writer.hpp"

#include <array>

namespace meteremu::shelly {
namespace {

/// EMData.GetData keys per phase, in the documented order (a_, b_, c_ prefixed on em:0).
constexpr std::array<std::string_view, 16> kHistoryFields{
    "total_act_energy", "fund_act_energy",   "total_act_ret_energy", "fund_act_ret_energy",
    "lag_react_energy", "lead_react_energy", "max_act_power",        "min_act_power",
    "max_aprt_power",   "min_aprt_power",    "max_voltage",          "min_voltage",
    "avg_voltage",      "max_current",       "min_current",          "avg_current"};

void AppendHistoryKeys(std::string& out, Layout layout) {
    char separator = '[';
    auto key = [&](std::string_view text) {
        out += separator;
        json::AppendString(out, text);
        separator = ',';
    };
    if (layout != Layout::Triphase) {
        for (auto field : kHistoryFields)
            key(field);
    } else {
        for (std::string prefix : {"a_", "b_", "c_"})
            for (auto field : kHistoryFields)
                key(prefix + std::string(field));
        for (const auto* field : {"n_max_current", "n_min_current", "n_avg_current"})
            key(field);
    }
    out += ']';
}

} // namespace

/// The CTs a SPEM-003CEBEU takes [?: docs only, no capture].
RpcOutcome MeterGetCtTypes(const MethodContext& context) {
    auto resolved = ResolveComponent(context);
    if (auto* error = std::get_if<RpcError>(&resolved)) return *error;
    return std::string("{\"types\":[\"120A\",\"400A\"]}");
}

RpcOutcome EnergyGetRecords(const MethodContext& context) {
    auto resolved = ResolveComponent(context);
    if (auto* error = std::get_if<RpcError>(&resolved)) return *error;
    return std::string("{\"data_blocks\":[]}");
}

RpcOutcome EnergyGetData(const MethodContext& context) {
    auto resolved = ResolveComponent(context);
    if (auto* error = std::get_if<RpcError>(&resolved)) return *error;
    auto add_keys = OptionalBool(context.params, "add_keys", true);
    if (auto* error = std::get_if<RpcError>(&add_keys)) return *error;
    std::string out = "{";
    if (std::get<bool>(add_keys)) {
        out += "\"keys\":";
        AppendHistoryKeys(out, LayoutOf(context.identity));
        out += ',';
    }
    out += "\"data\":[]}";
    return out;
}

} // namespace meteremu::shelly
