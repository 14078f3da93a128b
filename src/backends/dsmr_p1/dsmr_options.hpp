// SPDX-License-Identifier: MIT
#pragma once

#include "backends/backend.hpp"
#include "backends/dsmr_p1/serial_port.hpp"

#include <string>

namespace meteremu {

/// [backend] keys of type = "dsmr_p1".
struct DsmrP1Options : BackendOptions {
    std::string device = "/dev/ttyUSB0";
    /// "2.2", "3", "4" or "5": the line format and whether telegrams carry a CRC.
    std::string dsmr_version = "5";

    dsmr::LineFormat Format() const noexcept {
        return CrcRequired() ? dsmr::LineFormat::Baud115200_8N1 : dsmr::LineFormat::Baud9600_7E1;
    }
    /// DSMR 4 and 5 end every telegram with a CRC; 2.2 and 3 have none.
    bool CrcRequired() const noexcept { return dsmr_version == "4" || dsmr_version == "5"; }
};

std::unique_ptr<BackendOptions> ParseDsmrP1Options(ConfigSection& section);

extern const BackendPlugin dsmr_p1_backend_plugin;

} // namespace meteremu
