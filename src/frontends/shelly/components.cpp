// SPDX-License-Identifier: MIT
#include "frontends/shelly/components.hpp"

#include "frontends/shelly/render.hpp"
#include "frontends/shelly/render_config.hpp"
#include "util/json_writer.hpp"

#include <algorithm>
#include <array>
#include <iterator>

namespace meteremu::shelly {
namespace {

using Kind = ComponentKind;

// Status of the parts a wired meter without Bluetooth, cloud or MQTT has (fw 1.6.1 keys).
void BleStatus(std::string& out, const StatusInputs&, int) {
    out += "{}";
}
void BthomeStatus(std::string& out, const StatusInputs&, int) {
    out += "{\"errors\":[\"bluetooth_disabled\"]}";
}
void DisconnectedStatus(std::string& out, const StatusInputs&, int) { // cloud, mqtt, ws
    out += "{\"connected\":false}";
}
void EthStatus(std::string& out, const StatusInputs&, int) {
    out += "{\"ip\":null,\"ip6\":null}";
}
void WifiStatus(std::string& out, const StatusInputs&, int) {
    out += "{\"sta_ip\":\"0.0.0.0\",\"status\":\"disconnected\",\"ssid\":null,\"sta_ip6\":null}";
}
void SysStatus(std::string& out, const StatusInputs& inputs, int) {
    AppendSysStatus(out, inputs.identity, inputs.sys);
}
void TemperatureStatus(std::string& out, const StatusInputs& inputs, int) {
    AppendTemperatureStatus(out, inputs.sys.temperature_c);
}

void EmStatus(std::string& out, const StatusInputs& inputs, int) {
    if (HasData(Kind::Power, inputs.meter))
        AppendEmStatus(out, *inputs.meter.reading);
    else
        AppendEmStatusUnavailable(out);
}
void EmDataStatus(std::string& out, const StatusInputs& inputs, int) {
    if (HasData(Kind::Energy, inputs.meter))
        AppendEmDataStatus(out, *inputs.meter.reading);
    else
        AppendEmDataStatusUnavailable(out);
}
void Em1Status(std::string& out, const StatusInputs& inputs, int id) {
    if (HasData(Kind::Power, inputs.meter))
        AppendEm1Status(out, id, inputs.meter.reading->phases[static_cast<size_t>(id)]);
    else
        AppendEm1StatusUnavailable(out, id);
}
void Em1DataStatus(std::string& out, const StatusInputs& inputs, int id) {
    if (HasData(Kind::Energy, inputs.meter))
        AppendEm1DataStatus(out, id, inputs.meter.reading->phases[static_cast<size_t>(id)]);
    else
        AppendEm1DataStatusUnavailable(out, id);
}

// Components both profiles have, before and after the meter (keys sort alphabetically).
constexpr Component kHead[] = {
    {"ble", 0, Kind::Other, BleStatus, AppendBleConfig},
    {"bthome", 0, Kind::Other, BthomeStatus, AppendEmptyConfig},
    {"cloud", 0, Kind::Other, DisconnectedStatus, AppendCloudConfig},
};
constexpr Component kTail[] = {
    {"eth", 0, Kind::Other, EthStatus, AppendEthConfig},
    {"modbus", 0, Kind::Other, BleStatus, AppendModbusConfig},
    {"mqtt", 0, Kind::Other, DisconnectedStatus, AppendMqttConfig},
    {"sys", 0, Kind::Other, SysStatus, AppendSysConfig},
    {"temperature:0", 0, Kind::Other, TemperatureStatus, AppendTemperatureConfig},
    {"wifi", 0, Kind::Other, WifiStatus, AppendWifiConfig},
    {"ws", 0, Kind::Other, DisconnectedStatus, AppendWsConfig},
};

constexpr Component kTriphaseMeter[] = {
    {"em:0", 0, Kind::Power, EmStatus, AppendEmConfig},
    {"emdata:0", 0, Kind::Energy, EmDataStatus, AppendEmptyConfig},
};
constexpr Component kMonophaseMeter[] = {
    {"em1:0", 0, Kind::Power, Em1Status, AppendEm1Config},
    {"em1:1", 1, Kind::Power, Em1Status, AppendEm1Config},
    {"em1:2", 2, Kind::Power, Em1Status, AppendEm1Config},
    {"em1data:0", 0, Kind::Energy, Em1DataStatus, AppendEmptyConfig},
    {"em1data:1", 1, Kind::Energy, Em1DataStatus, AppendEmptyConfig},
    {"em1data:2", 2, Kind::Energy, Em1DataStatus, AppendEmptyConfig},
};

template <size_t Meter>
constexpr std::array<Component, std::size(kHead) + Meter + std::size(kTail)>
WithSharedComponents(const Component (&meter)[Meter]) {
    std::array<Component, std::size(kHead) + Meter + std::size(kTail)> all{};
    size_t i = 0;
    for (const auto& part : {std::span<const Component>(kHead), std::span<const Component>(meter),
                             std::span<const Component>(kTail)})
        for (const Component& component : part)
            all[i++] = component;
    return all;
}

constexpr auto kTriphase = WithSharedComponents(kTriphaseMeter);
constexpr auto kMonophase = WithSharedComponents(kMonophaseMeter);

} // namespace

std::span<const Component> Components(Profile profile) noexcept {
    if (profile == Profile::Monophase) return kMonophase;
    return kTriphase;
}

const Component* FindComponent(Profile profile, std::string_view key) noexcept {
    auto components = Components(profile);
    auto found = std::find_if(components.begin(), components.end(),
                              [key](const Component& c) { return c.key == key; });
    return found == components.end() ? nullptr : &*found;
}

bool HasData(ComponentKind kind, const MeterView& meter) noexcept {
    switch (kind) {
    case Kind::Power:
        return meter.reading != nullptr;
    case Kind::Energy:
        return meter.reading != nullptr && meter.freshness != Freshness::Missing;
    case Kind::Other:
        break;
    }
    return true;
}

void AppendStatusObject(std::string& out, const StatusInputs& inputs) {
    char separator = '{';
    for (const Component& component : Components(inputs.identity.profile)) {
        out += separator;
        json::AppendString(out, component.key);
        out += ':';
        component.status(out, inputs, component.id);
        separator = ',';
    }
    out += '}';
}

void AppendConfigObject(std::string& out, const Identity& identity) {
    char separator = '{';
    for (const Component& component : Components(identity.profile)) {
        out += separator;
        json::AppendString(out, component.key);
        out += ':';
        component.config(out, identity, component.id);
        separator = ',';
    }
    out += '}';
}

void AppendComponentsOfKind(std::string& out, const StatusInputs& inputs, ComponentKind kind) {
    for (const Component& component : Components(inputs.identity.profile)) {
        if (component.kind != kind) continue;
        out += ',';
        json::AppendString(out, component.key);
        out += ':';
        component.status(out, inputs, component.id);
    }
}

} // namespace meteremu::shelly
