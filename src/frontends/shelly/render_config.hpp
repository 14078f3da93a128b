// SPDX-License-Identifier: MIT
// The configuration objects of a Shelly Pro 3EM (Shelly.GetConfig and the <Component>.GetConfig
// methods), as firmware 1.6.1 keys them, in the order and with the literal spaces the real
// firmware prints (captured on 2.0.0; the keys 2.0.0 added are left out). Values are those of
// a wired device with cloud, MQTT, outbound WebSocket, Bluetooth and its access point off.
// Every function has the same shape so the component table can point at it; `id` is the
// component instance (em1:<id>), ignored by singletons.
#pragma once

#include "frontends/shelly/identity.hpp"

#include <string>

namespace meteremu::shelly {

void AppendBleConfig(std::string& out, const Identity& identity, int id);
void AppendEmptyConfig(std::string& out, const Identity& identity, int id); ///< bthome, emdata
void AppendCloudConfig(std::string& out, const Identity& identity, int id);
void AppendEmConfig(std::string& out, const Identity& identity, int id);
void AppendEm1Config(std::string& out, const Identity& identity, int id);
void AppendEthConfig(std::string& out, const Identity& identity, int id);
void AppendModbusConfig(std::string& out, const Identity& identity, int id);
void AppendMqttConfig(std::string& out, const Identity& identity, int id);
void AppendSwitchConfig(std::string& out, const Identity& identity, int id);
void AppendSysConfig(std::string& out, const Identity& identity, int id);
void AppendTemperatureConfig(std::string& out, const Identity& identity, int id);
void AppendWifiConfig(std::string& out, const Identity& identity, int id);
void AppendWsConfig(std::string& out, const Identity& identity, int id);

} // namespace meteremu::shelly
