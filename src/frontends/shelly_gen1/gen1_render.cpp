// SPDX-License-Identifier: MIT
#include "frontends/shelly_gen1/gen1_render.hpp"

#include "util/json_writer.hpp"

namespace meteremu::shelly_gen1 {
namespace {

using json::AppendFixed;

constexpr std::string_view kFirmware = "20220324-123835/v1.11.8-3EM-fix-g0014dcb";
/// Counts of the SHEM-3: one contactor output, no power-metered relay, three CT channels.
constexpr std::string_view kCounts = ",\"num_outputs\":1,\"num_meters\":0,\"num_emeters\":3";

void AppendRelay(std::string& out) {
    out += "[{\"ison\":false,\"has_timer\":false,\"timer_started\":0,\"timer_duration\":0,"
           "\"timer_remaining\":0,\"overpower\":false,\"is_valid\":true,\"source\":\"input\"}]";
}

} // namespace

void AppendShelly(std::string& out, const Gen1Identity& identity) {
    out += "{\"type\":\"SHEM-3\",\"mac\":";
    json::AppendString(out, identity.mac);
    out += identity.auth ? ",\"auth\":true" : ",\"auth\":false";
    out += ",\"fw\":";
    json::AppendString(out, kFirmware);
    out += kCounts;
    out += '}';
}

void AppendEmeter(std::string& out, const PhaseReading& phase) {
    out += "{\"power\":";
    AppendFixed(out, phase.act_power, 2);
    out += ",\"pf\":";
    AppendFixed(out, phase.power_factor, 2);
    out += ",\"current\":";
    AppendFixed(out, phase.current, 2);
    out += ",\"voltage\":";
    AppendFixed(out, phase.voltage, 2);
    out += ",\"is_valid\":true";
    out += ",\"total\":";
    AppendFixed(out, phase.import_wh, 1);
    out += ",\"total_returned\":";
    AppendFixed(out, phase.export_wh, 1);
    out += '}';
}

void AppendStatus(std::string& out, const Gen1Identity& identity, const Reading& reading,
                  const Gen1Moment& moment) {
    // Wi-Fi as a device that is on the network; the emulator knows no SSID or RSSI [?].
    out += "{\"wifi_sta\":{\"connected\":true,\"ssid\":\"\",\"ip\":\"\",\"rssi\":-50},"
           "\"cloud\":{\"enabled\":false,\"connected\":false},\"mqtt\":{\"connected\":false},"
           "\"time\":";
    json::AppendString(out, moment.time);
    out += ",\"unixtime\":";
    json::AppendInteger(out, moment.unixtime);
    out += ",\"serial\":";
    json::AppendInteger(out, static_cast<std::int64_t>(moment.serial & 0xffff));
    out += ",\"has_update\":false,\"mac\":";
    json::AppendString(out, identity.mac);
    out += ",\"cfg_changed_cnt\":0,\"actions_stats\":{\"skipped\":0},\"relays\":";
    AppendRelay(out);
    out += ",\"emeters\":[";
    for (std::size_t i = 0; i < kPhaseCount; ++i) {
        if (i) out += ',';
        AppendEmeter(out, reading.phases[i]);
    }
    out += "],\"total_power\":";
    AppendFixed(out, reading.TotalActPower(), 2);
    out += ",\"fs_mounted\":true,\"update\":{\"status\":\"idle\",\"has_update\":false,"
           "\"new_version\":";
    json::AppendString(out, kFirmware);
    out += ",\"old_version\":";
    json::AppendString(out, kFirmware);
    out += "},\"ram_total\":49440,\"ram_free\":28356,\"fs_size\":233681,\"fs_free\":155620,"
           "\"uptime\":";
    json::AppendInteger(out, moment.uptime);
    out += '}';
}

void AppendSettings(std::string& out, const Gen1Identity& identity, const std::string& user) {
    out += "{\"device\":{\"type\":\"SHEM-3\",\"mac\":";
    json::AppendString(out, identity.mac);
    out += ",\"hostname\":";
    json::AppendString(out, identity.hostname);
    out += kCounts;
    out += "},\"wifi_ap\":{\"enabled\":false,\"ssid\":";
    json::AppendString(out, identity.hostname);
    out += ",\"key\":\"\"},\"wifi_sta\":{\"enabled\":true,\"ssid\":\"\",\"ipv4_method\":\"dhcp\","
           "\"ip\":null,\"gw\":null,\"mask\":null,\"dns\":null},"
           "\"mqtt\":{\"enable\":false},\"coiot\":{\"enabled\":false},"
           "\"login\":{\"enabled\":";
    out += identity.auth ? "true" : "false";
    out += ",\"unprotected\":false,\"username\":";
    json::AppendString(out, user);
    out += "},\"name\":null,\"fw\":";
    json::AppendString(out, kFirmware);
    out += ",\"discoverable\":true,\"cloud\":{\"enabled\":false,\"connected\":false},"
           "\"relays\":[{\"name\":null,\"ison\":false,\"default_state\":\"off\"}],"
           "\"emeters\":[{\"appliance_type\":\"General\",\"max_power\":0},"
           "{\"appliance_type\":\"General\",\"max_power\":0},"
           "{\"appliance_type\":\"General\",\"max_power\":0}]}";
}

} // namespace meteremu::shelly_gen1
