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
// The two-channel meters: channel 0 carries what `channel0` says, channel 1 is idle.
void Em1PairStatus(std::string& out, const StatusInputs& inputs, int id) {
    Em1Order order = inputs.identity.gen >= 3 ? Em1Order::VoltageFirst : Em1Order::CurrentFirst;
    if (HasData(Kind::Power, inputs.meter))
        AppendEm1Status(out, id, Em1Channel(*inputs.meter.reading, inputs.identity.channel0, id),
                        order);
    else
        AppendEm1StatusUnavailable(out, id, order);
}
void Em1PairDataStatus(std::string& out, const StatusInputs& inputs, int id) {
    if (HasData(Kind::Energy, inputs.meter))
        AppendEm1DataStatus(out, id,
                            Em1Channel(*inputs.meter.reading, inputs.identity.channel0, id));
    else
        AppendEm1DataStatusUnavailable(out, id);
}
void SwitchStatus(std::string& out, const StatusInputs& inputs, int) {
    AppendSwitchStatus(out, inputs.sys.temperature_c);
}

// Components both profiles have, before and after the meter (keys sort alphabetically).
constexpr Component kHead[] = {
    {"ble", 0, Kind::Other, BleStatus, AppendBleConfig},
    {"bthome", 0, Kind::Other, BthomeStatus, AppendEmptyConfig},
    {"cloud", 0, Kind::Other, DisconnectedStatus, AppendCloudConfig},
};
constexpr Component kEth = {"eth", 0, Kind::Other, EthStatus, AppendEthConfig};
constexpr Component kModbus = {"modbus", 0, Kind::Other, BleStatus, AppendModbusConfig};
constexpr Component kMqtt = {"mqtt", 0, Kind::Other, DisconnectedStatus, AppendMqttConfig};
constexpr Component kSwitch = {"switch:0", 0, Kind::Other, SwitchStatus, AppendSwitchConfig};
constexpr Component kSys = {"sys", 0, Kind::Other, SysStatus, AppendSysConfig};
constexpr Component kWifi = {"wifi", 0, Kind::Other, WifiStatus, AppendWifiConfig};
constexpr Component kWs = {"ws", 0, Kind::Other, DisconnectedStatus, AppendWsConfig};
constexpr Component kTail[] = {
    kEth,
    kModbus,
    kMqtt,
    kSys,
    {"temperature:0", 0, Kind::Other, TemperatureStatus, AppendTemperatureConfig},
    kWifi,
    kWs,
};
// The two-channel meters measure their temperature in the switch; gen 3 has no Ethernet.
constexpr Component kPairTail[] = {kEth, kModbus, kMqtt, kSwitch, kSys, kWifi, kWs};
constexpr Component kPairGen3Tail[] = {kMqtt, kSwitch, kSys, kWifi, kWs};

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

constexpr Component kPairMeter[] = {
    {"em1:0", 0, Kind::Power, Em1PairStatus, AppendEm1Config},
    {"em1:1", 1, Kind::Power, Em1PairStatus, AppendEm1Config},
    {"em1data:0", 0, Kind::Energy, Em1PairDataStatus, AppendEmptyConfig},
    {"em1data:1", 1, Kind::Energy, Em1PairDataStatus, AppendEmptyConfig},
};

template <size_t Meter, size_t Tail>
constexpr std::array<Component, std::size(kHead) + Meter + Tail>
WithSharedComponents(const Component (&meter)[Meter], const Component (&tail)[Tail]) {
    std::array<Component, std::size(kHead) + Meter + Tail> all{};
    size_t i = 0;
    for (const auto& part : {std::span<const Component>(kHead), std::span<const Component>(meter),
                             std::span<const Component>(tail)})
        for (const Component& component : part)
            all[i++] = component;
    return all;
}

constexpr auto kTriphase = WithSharedComponents(kTriphaseMeter, kTail);
constexpr auto kMonophase = WithSharedComponents(kMonophaseMeter, kTail);
constexpr auto kPair = WithSharedComponents(kPairMeter, kPairTail);
constexpr auto kPairGen3 = WithSharedComponents(kPairMeter, kPairGen3Tail);

} // namespace

PhaseReading Em1Channel(const Reading& reading, Channel0 channel0, int id) noexcept {
    PhaseReading channel;
    if (channel0 != Channel0::Total) {
        channel = reading.phases[static_cast<size_t>(channel0) - 1];
    } else {
        channel.voltage = reading.phases[0].voltage;
        channel.frequency = reading.phases[0].frequency;
        channel.current = reading.TotalCurrent();
        channel.act_power = reading.TotalActPower();
        channel.aprt_power = reading.TotalAprtPower();
        channel.power_factor = PowerFactor(channel.act_power, channel.aprt_power);
        channel.import_wh = reading.TotalImportWh();
        channel.export_wh = reading.TotalExportWh();
    }
    if (id == 0) return channel;
    // An idle channel on the same mains: its voltage and frequency, nothing flowing.
    return {.voltage = channel.voltage, .frequency = channel.frequency};
}

std::span<const Component> Components(Layout layout) noexcept {
    switch (layout) {
    case Layout::Monophase:
        return kMonophase;
    case Layout::Em1Pair:
        return kPair;
    case Layout::Em1PairGen3:
        return kPairGen3;
    case Layout::Triphase:
        break;
    }
    return kTriphase;
}

const Component* FindComponent(Layout layout, std::string_view key) noexcept {
    auto components = Components(layout);
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
    for (const Component& component : Components(LayoutOf(inputs.identity))) {
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
    for (const Component& component : Components(LayoutOf(identity))) {
        out += separator;
        json::AppendString(out, component.key);
        out += ':';
        component.config(out, identity, component.id);
        separator = ',';
    }
    out += '}';
}

void AppendComponentsOfKind(std::string& out, const StatusInputs& inputs, ComponentKind kind) {
    for (const Component& component : Components(LayoutOf(inputs.identity))) {
        if (component.kind != kind) continue;
        out += ',';
        json::AppendString(out, component.key);
        out += ':';
        component.status(out, inputs, component.id);
    }
}

} // namespace meteremu::shelly
