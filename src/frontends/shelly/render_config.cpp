// SPDX-License-Identifier: MIT
#include "frontends/shelly/render_config.hpp"

#include "util/json_writer.hpp"

namespace meteremu::shelly {
namespace {

/// A Wi-Fi station that is configured off (the firmware's spaces kept).
constexpr std::string_view kStationOff =
    "{\"ssid\":null,\"is_open\":true, \"enable\":false, \"ipv4mode\":\"dhcp\",\"ip\":null,"
    "\"netmask\":null,\"gw\":null,\"nameserver\":null}";

} // namespace

void AppendBleConfig(std::string& out, const Identity&, int) {
    out += "{\"enable\":false,\"rpc\":{\"enable\":true}}";
}

void AppendEmptyConfig(std::string& out, const Identity&, int) {
    out += "{}";
}

void AppendCloudConfig(std::string& out, const Identity&, int) {
    // Growatt batteries want the cloud off; the server is the firmware default.
    out += "{\"enable\":false,\"server\":\"iot.shelly.cloud:6012/jrpc\"}";
}

void AppendEmConfig(std::string& out, const Identity&, int) {
    // Hoymiles reads this exact key set; 2.0.0 adds "alarms".
    out += "{\"id\":0,\"name\":null,\"blink_mode_selector\":\"active_energy\","
           "\"phase_selector\":\"all\",\"monitor_phase_sequence\":false,\"ct_type\":\"120A\","
           "\"reverse\":{}}";
}

void AppendEm1Config(std::string& out, const Identity& identity, int id) {
    out += "{\"id\":";
    json::AppendInteger(out, id);
    // The two-channel meters come with 50 A clamps [?: the documented shape, no capture].
    out += identity.model_kind == Model::Pro3Em
               ? ",\"name\":null,\"reverse\":false,\"ct_type\":\"120A\"}"
               : ",\"name\":null,\"reverse\":false,\"ct_type\":\"50A\"}";
}

void AppendEthConfig(std::string& out, const Identity&, int) {
    out += "{\"enable\":true,\"server_mode\":false,\"ipv4mode\":\"dhcp\",\"ip\":null,"
           "\"netmask\":null,\"gw\":null,\"nameserver\":null}";
}

void AppendModbusConfig(std::string& out, const Identity&, int) {
    out += "{\"enable\":false}";
}

void AppendMqttConfig(std::string& out, const Identity& identity, int) {
    out += "{\"enable\":false,\"server\":null,\"client_id\":";
    json::AppendString(out, identity.id);
    out += ",\"user\":null,\"ssl_ca\":null,\"topic_prefix\":";
    json::AppendString(out, identity.id);
    out += ",\"rpc_ntf\":true,\"status_ntf\":false,\"use_client_cert\":false,"
           "\"enable_rpc\":true,\"enable_control\":true}";
}

void AppendSwitchConfig(std::string& out, const Identity&, int) {
    // The contactor output stays off and answers no setter [?: the documented shape].
    out += "{\"id\":0,\"name\":null,\"in_mode\":\"detached\",\"initial_state\":\"off\","
           "\"auto_on\":false,\"auto_on_delay\":60.00,\"auto_off\":false,"
           "\"auto_off_delay\":60.00}";
}

void AppendSysConfig(std::string& out, const Identity& identity, int) {
    out += "{\"device\":{\"name\":";
    json::AppendStringOrNull(out, identity.name);
    out += ",\"mac\":";
    json::AppendString(out, identity.mac);
    out += ",\"fw_id\":";
    json::AppendString(out, identity.fw_id);
    out += ",\"discoverable\":true,\"eco_mode\":false";
    if (identity.model_kind == Model::Pro3Em) {
        out += ",\"profile\":";
        json::AppendString(out, ProfileName(identity.profile));
    }
    out += ",\"addon_type\":null,\"sys_btn_toggle\":true},"
           "\"location\":{\"tz\":null,\"lat\":null,\"lon\":null},"
           "\"debug\":{\"level\":2,\"file_level\":null,\"mqtt\":{\"enable\":false},"
           "\"websocket\":{\"enable\":false},\"udp\":{\"addr\":null}},"
           "\"ui_data\":{},\"rpc_udp\":{\"dst_addr\":null,\"listen_port\":null},"
           "\"sntp\":{\"server\":\"time.google.com\"},\"cfg_rev\":";
    json::AppendInteger(out, kCfgRev);
    out += '}';
}

void AppendTemperatureConfig(std::string& out, const Identity&, int) {
    out += "{\"id\":0, \"name\":null, \"report_thr_C\": 5.0, \"offset_C\": 0.0}";
}

void AppendWifiConfig(std::string& out, const Identity& identity, int) {
    out += "{\"ap\":{\"ssid\":";
    json::AppendString(out, AccessPointSsid(identity));
    out += ",\"is_open\":true, \"enable\":false, \"range_extender\": {\"enable\":false}},"
           "\"sta\":";
    out += kStationOff;
    out += ",\"sta1\":";
    out += kStationOff;
    out += ",\"roam\":{\"rssi_thr\":-80,\"interval\":60}}";
}

void AppendWsConfig(std::string& out, const Identity&, int) {
    out += "{\"enable\":false,\"server\":null,\"ssl_ca\":\"ca.pem\"}";
}

} // namespace meteremu::shelly
