// SPDX-License-Identifier: MIT
// `meteremu status`: the running daemon's state, read from the system bus (docs/dbus.md) as
// hostnamectl reads hostnamed's, and written as text for a person at a shell.
#pragma once

#include "platform/meter_bus_facts.hpp"

#include <ctime>
#include <stdexcept>
#include <string>

namespace meteremu {

/// The daemon cannot be read over the bus; what() says why.
class MeterBusReadError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Every property of the running daemon's object, from the system bus (DBUS_SYSTEM_BUS_ADDRESS
/// when set). Throws MeterBusReadError.
MeterBusFacts ReadMeterBus();

/// The facts as a few aligned lines, `now` for the token's days left.
std::string FormatMeterStatus(const MeterBusFacts& facts, std::time_t now);

} // namespace meteremu
