// SPDX-License-Identifier: MIT
#include "frontends/shelly/rpc_methods.hpp"

#include "frontends/shelly/methods.hpp"

#include <strings.h>

namespace meteremu::shelly {
namespace {

constexpr unsigned kTri = kTriphaseOnly;
// EM1 channels: the monophase Pro 3EM and the two-channel meters.
constexpr unsigned kMono = kMonophaseOnly | kEm1Pair | kEm1PairGen3;
constexpr unsigned kPair = kEm1Pair | kEm1PairGen3;
constexpr unsigned kAll = kEveryLayout;
constexpr unsigned kPro3Em = kEveryProfile;           // the Pro 3EM's own temperature component
constexpr unsigned kWired = kEveryProfile | kEm1Pair; // Ethernet and Modbus: not on gen 3
constexpr bool kPerReading = true;
constexpr bool kSample = true;

// The order of a real Pro 3EM's Shelly.ListMethods (fw 2.0.0 capture), keeping the methods
// implemented here. The casing is the firmware's too (Mqtt, WS, BLE); calls ignore case.
// Setters, OTA, scripts and the like are absent: a device may list only what it allows.
// kPerReading marks what batteries poll and what does not depend on the clock; kSample what
// carries the grid power.
constexpr Method kMethods[] = {
    {"EMData.GetConfig", ComponentGetConfig, kTri, "emdata", kPerReading},
    {"EMData.GetData", EnergyGetData, kTri, "emdata"},
    {"EMData.GetRecords", EnergyGetRecords, kTri, "emdata"},
    {"EMData.GetStatus", ComponentGetStatus, kTri, "emdata", kPerReading},
    {"EM.GetCTTypes", MeterGetCtTypes, kTri, "em", kPerReading},
    {"EM.GetConfig", ComponentGetConfig, kTri, "em", kPerReading},
    {"EM.GetStatus", ComponentGetStatus, kTri, "em", kPerReading, kSample},
    {"EM1Data.GetConfig", ComponentGetConfig, kMono, "em1data", kPerReading},
    {"EM1Data.GetData", EnergyGetData, kMono, "em1data"},
    {"EM1Data.GetRecords", EnergyGetRecords, kMono, "em1data"},
    {"EM1Data.GetStatus", ComponentGetStatus, kMono, "em1data", kPerReading},
    {"EM1.GetCTTypes", MeterGetCtTypes, kMono, "em1", kPerReading},
    {"EM1.GetConfig", ComponentGetConfig, kMono, "em1", kPerReading},
    {"EM1.GetStatus", ComponentGetStatus, kMono, "em1", kPerReading, kSample},
    {"Switch.GetConfig", ComponentGetConfig, kPair, "switch"},
    {"Switch.GetStatus", ComponentGetStatus, kPair, "switch"},
    {"Temperature.GetConfig", ComponentGetConfig, kPro3Em, "temperature"},
    {"Temperature.GetStatus", ComponentGetStatus, kPro3Em, "temperature"},
    {"BTHome.GetConfig", ComponentGetConfig, kAll, "bthome"},
    {"BTHome.GetStatus", ComponentGetStatus, kAll, "bthome"},
    {"Modbus.GetConfig", ComponentGetConfig, kWired, "modbus"},
    {"Modbus.GetStatus", ComponentGetStatus, kWired, "modbus"},
    {"Script.List", ScriptList, kAll},
    {"WS.GetConfig", ComponentGetConfig, kAll, "ws"},
    {"WS.GetStatus", ComponentGetStatus, kAll, "ws"},
    {"Mqtt.GetConfig", ComponentGetConfig, kAll, "mqtt"},
    {"Mqtt.GetStatus", ComponentGetStatus, kAll, "mqtt"},
    {"Cloud.GetConfig", ComponentGetConfig, kAll, "cloud"},
    {"Cloud.GetStatus", ComponentGetStatus, kAll, "cloud"},
    {"BLE.GetConfig", ComponentGetConfig, kAll, "ble"},
    {"BLE.GetStatus", ComponentGetStatus, kAll, "ble"},
    {"Eth.GetConfig", ComponentGetConfig, kWired, "eth"},
    {"Eth.GetStatus", ComponentGetStatus, kWired, "eth"},
    {"Wifi.GetConfig", ComponentGetConfig, kAll, "wifi"},
    {"Wifi.GetStatus", ComponentGetStatus, kAll, "wifi"},
    {"Sys.GetConfig", ComponentGetConfig, kAll, "sys"},
    {"Sys.GetStatus", ComponentGetStatus, kAll, "sys"},
    {"Shelly.ListMethods", ShellyListMethods, kAll},
    {"Shelly.GetComponents", ShellyGetComponents, kAll},
    {"Shelly.GetStatus", ShellyGetStatus, kAll, {}, false, kSample},
    {"Shelly.GetConfig", ShellyGetConfig, kAll},
    {"Shelly.GetDeviceInfo", ShellyGetDeviceInfo, kAll, {}, kPerReading},
    {"RPC.Ping", RpcPing, kAll},
};

unsigned MaskOf(Layout layout) noexcept {
    return 1U << static_cast<unsigned>(layout);
}

} // namespace

const Method* FindMethod(Layout layout, std::string_view name) noexcept {
    for (const Method& method : kMethods)
        if ((method.layouts & MaskOf(layout)) && method.name.size() == name.size() &&
            strncasecmp(method.name.data(), name.data(), name.size()) == 0)
            return &method;
    return nullptr;
}

std::vector<std::string_view> MethodNames(Layout layout) {
    std::vector<std::string_view> names;
    for (const Method& method : kMethods)
        if (method.layouts & MaskOf(layout)) names.push_back(method.name);
    return names;
}

} // namespace meteremu::shelly
