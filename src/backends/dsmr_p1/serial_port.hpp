// SPDX-License-Identifier: MIT
// The P1 port: a serial device (a USB cable's /dev/ttyUSB0) opened read-only, raw, at the
// speed and framing of the meter's DSMR version, read with a bounded wait.
#pragma once

#include "util/unique_fd.hpp"

#include <chrono>
#include <span>
#include <string>
#include <string_view>

namespace meteremu::dsmr {

enum class LineFormat {
    Baud115200_8N1, ///< DSMR 4 and 5
    Baud9600_7E1,   ///< DSMR 2.2 and 3
};

class SerialPort {
public:
    /// Opens and configures `device`. Throws std::system_error naming it.
    SerialPort(const std::string& device, LineFormat format);

    /// Waits up to `timeout` for bytes; empty when none came. Throws std::system_error when
    /// the port fails or hangs up (a cable pulled out).
    std::string_view Read(std::span<char> buffer, std::chrono::milliseconds timeout);

private:
    std::string device_;
    UniqueFd fd_;
};

} // namespace meteremu::dsmr
