// SPDX-License-Identifier: MIT
#include "frontends/shelly/render.hpp"

#include "util/json_writer.hpp"

#include <array>

namespace meteremu::shelly {
namespace {

using json::AppendFixed;

constexpr std::array<char, kPhaseCount> kLetters{'a', 'b', 'c'};

/// Appends ,"<letter>_<name>":
void PhaseKey(std::string& out, char letter, std::string_view name) {
    out += ",\"";
    out += letter;
    out += '_';
    out += name;
    out += "\":";
}

void AppendPhase(std::string& out, char letter, const PhaseReading& phase) {
    PhaseKey(out, letter, "current");
    AppendFixed(out, phase.current, 3);
    PhaseKey(out, letter, "voltage");
    AppendFixed(out, phase.voltage, 1);
    PhaseKey(out, letter, "act_power");
    AppendFixed(out, phase.act_power, 1);
    PhaseKey(out, letter, "aprt_power");
    AppendFixed(out, phase.aprt_power, 1);
    PhaseKey(out, letter, "pf");
    AppendFixed(out, phase.power_factor, 2);
    PhaseKey(out, letter, "freq");
    AppendFixed(out, phase.frequency, 1);
}

void AppendIdObject(std::string& out, int id) {
    out += "{\"id\":";
    json::AppendInteger(out, id);
}

constexpr std::string_view kEmPhaseFields[] = {"current",    "voltage", "act_power",
                                               "aprt_power", "pf",      "freq"};
constexpr std::string_view kEmDataPhaseFields[] = {"total_act_energy", "total_act_ret_energy"};
constexpr std::string_view kPowerMeterFailure = ",\"errors\":[\"power_meter_failure\"]}";

} // namespace

void AppendDeviceInfo(std::string& out, const Identity& identity, bool ident) {
    out += "{\"name\":";
    json::AppendStringOrNull(out, identity.name);
    out += ",\"id\":";
    json::AppendString(out, identity.id);
    out += ",\"mac\":";
    json::AppendString(out, identity.mac);
    out += ",\"slot\":";
    json::AppendInteger(out, identity.slot);
    if (ident) {
        out += ",\"key\":";
        json::AppendString(out, identity.key);
        out += ",\"batch\":";
        json::AppendString(out, identity.batch);
        out += ",\"fw_sbits\":";
        json::AppendString(out, identity.fw_sbits);
    }
    out += ",\"model\":";
    json::AppendString(out, identity.model);
    out += ",\"gen\":";
    json::AppendInteger(out, identity.gen);
    out += ",\"fw_id\":";
    json::AppendString(out, identity.fw_id);
    out += ",\"ver\":";
    json::AppendString(out, identity.ver);
    out += ",\"app\":";
    json::AppendString(out, identity.app);
    out += ",\"auth_en\":false,\"auth_domain\":null";
    if (identity.model_kind == Model::Pro3Em) { // the only model with profiles
        out += ",\"profile\":";
        json::AppendString(out, ProfileName(identity.profile));
    }
    out += '}';
}

void AppendEmStatus(std::string& out, const Reading& reading) {
    out += "{\"id\":0";
    for (size_t i = 0; i < kPhaseCount; ++i)
        AppendPhase(out, kLetters[i], reading.phases[i]);
    out += ",\"n_current\":null,\"total_current\":";
    AppendFixed(out, reading.TotalCurrent(), 3);
    out += ",\"total_act_power\":";
    AppendFixed(out, reading.TotalActPower(), 3);
    out += ",\"total_aprt_power\":";
    AppendFixed(out, reading.TotalAprtPower(), 3);
    out += ", \"user_calibrated_phase\":[]}";
}

void AppendEmStatusUnavailable(std::string& out) {
    out += "{\"id\":0";
    for (char letter : kLetters)
        for (auto field : kEmPhaseFields) {
            PhaseKey(out, letter, field);
            out += "null";
        }
    out += ",\"n_current\":null,\"total_current\":null,\"total_act_power\":null,"
           "\"total_aprt_power\":null, \"user_calibrated_phase\":[]";
    out += kPowerMeterFailure;
}

void AppendEmDataStatus(std::string& out, const Reading& reading) {
    out += "{\"id\":0";
    for (size_t i = 0; i < kPhaseCount; ++i) {
        PhaseKey(out, kLetters[i], "total_act_energy");
        AppendFixed(out, reading.phases[i].import_wh, 2);
        PhaseKey(out, kLetters[i], "total_act_ret_energy");
        AppendFixed(out, reading.phases[i].export_wh, 2);
    }
    out += ",\"total_act\":";
    AppendFixed(out, reading.TotalImportWh(), 2);
    out += ", \"total_act_ret\":";
    AppendFixed(out, reading.TotalExportWh(), 2);
    out += '}';
}

void AppendEmDataStatusUnavailable(std::string& out) {
    out += "{\"id\":0";
    for (char letter : kLetters)
        for (auto field : kEmDataPhaseFields) {
            PhaseKey(out, letter, field);
            out += "null";
        }
    out += ",\"total_act\":null, \"total_act_ret\":null";
    out += kPowerMeterFailure;
}

void AppendEm1Status(std::string& out, int id, const PhaseReading& phase, Em1Order order) {
    AppendIdObject(out, id);
    if (order == Em1Order::VoltageFirst) {
        out += ",\"voltage\":";
        AppendFixed(out, phase.voltage, 1);
    }
    out += ",\"current\":";
    AppendFixed(out, phase.current, 3);
    if (order == Em1Order::CurrentFirst) {
        out += ",\"voltage\":";
        AppendFixed(out, phase.voltage, 1);
    }
    out += ",\"act_power\":";
    AppendFixed(out, phase.act_power, 1);
    out += ",\"aprt_power\":";
    AppendFixed(out, phase.aprt_power, 1);
    out += ",\"pf\":";
    AppendFixed(out, phase.power_factor, 2);
    out += ",\"freq\":";
    AppendFixed(out, phase.frequency, 1);
    out += ",\"calibration\":\"factory\"}";
}

void AppendEm1StatusUnavailable(std::string& out, int id, Em1Order order) {
    AppendIdObject(out, id);
    out += order == Em1Order::VoltageFirst ? ",\"voltage\":null,\"current\":null"
                                           : ",\"current\":null,\"voltage\":null";
    out += ",\"act_power\":null,\"aprt_power\":null,\"pf\":null,\"freq\":null,"
           "\"calibration\":\"factory\"";
    out += kPowerMeterFailure;
}

void AppendEm1DataStatus(std::string& out, int id, const PhaseReading& phase) {
    AppendIdObject(out, id);
    out += ",\"total_act_energy\":";
    AppendFixed(out, phase.import_wh, 2);
    out += ",\"total_act_ret_energy\":";
    AppendFixed(out, phase.export_wh, 2);
    out += '}';
}

void AppendEm1DataStatusUnavailable(std::string& out, int id) {
    AppendIdObject(out, id);
    out += ",\"total_act_energy\":null,\"total_act_ret_energy\":null";
    out += kPowerMeterFailure;
}

void AppendSysStatus(std::string& out, const Identity& identity, const SysInfo& info) {
    out += "{\"mac\":";
    json::AppendString(out, identity.mac);
    out += ",\"restart_required\":false,\"time\":";
    json::AppendStringOrNull(out, info.time);
    out += ",\"unixtime\":";
    json::AppendInteger(out, info.unixtime);
    out += ",\"last_sync_ts\":";
    json::AppendInteger(out, info.last_sync_ts);
    out += ",\"uptime\":";
    json::AppendInteger(out, info.uptime);
    out += ",\"ram_size\":247524,\"ram_free\":";
    json::AppendInteger(out, info.ram_free);
    out += ",\"ram_min_free\":97524,\"fs_size\":524288,\"fs_free\":180224,\"cfg_rev\":";
    json::AppendInteger(out, kCfgRev);
    out += ",\"kvs_rev\":0,\"schedule_rev\":0,\"webhook_rev\":0,\"btrelay_rev\":0,"
           "\"available_updates\":{},\"reset_reason\":3,\"utc_offset\":";
    json::AppendInteger(out, info.utc_offset);
    out += '}';
}

void AppendSwitchStatus(std::string& out, double celsius) {
    out += "{\"id\":0, \"source\":\"init\", \"output\":false,\"temperature\":{\"tC\":";
    AppendFixed(out, celsius, 1);
    out += ", \"tF\":";
    AppendFixed(out, celsius * 9 / 5 + 32, 1);
    out += "}}";
}

void AppendTemperatureStatus(std::string& out, double celsius) {
    out += "{\"id\": 0,\"tC\":";
    AppendFixed(out, celsius, 1);
    out += ", \"tF\":";
    AppendFixed(out, celsius * 9 / 5 + 32, 1);
    out += '}';
}

} // namespace meteremu::shelly
