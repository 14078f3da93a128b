// SPDX-License-Identifier: MIT
#include "backends/dsmr_p1/dsmr_options.hpp"

#include "backends/dsmr_p1/dsmr_backend.hpp"
#include "config/config_section.hpp"

namespace meteremu {
namespace {

std::unique_ptr<BackendOptions> Parse(ConfigSection& section) {
    auto options = std::make_unique<DsmrP1Options>();
    if (auto device = section.String("device")) {
        if (device->size() < 2 || device->front() != '/')
            section.ErrorAt("device", "expected the serial port's path, e.g. \"/dev/ttyUSB0\" "
                                      "(better: its /dev/serial/by-id/... name)");
        else
            options->device = *device;
    }
    if (auto version = section.String("dsmr_version")) {
        if (*version == "2.2" || *version == "3" || *version == "4" || *version == "5")
            options->dsmr_version = *version;
        else
            section.ErrorAt("dsmr_version",
                            "expected \"5\" or \"4\" (115200 baud 8N1, telegrams with a CRC), "
                            "\"3\" or \"2.2\" (9600 baud 7E1, no CRC)");
    }
    return options;
}

std::unique_ptr<Backend> Create(const BackendOptions& options, const BackendContext& context) {
    return std::make_unique<dsmr::DsmrP1Backend>(static_cast<const DsmrP1Options&>(options),
                                                 context);
}

} // namespace

std::unique_ptr<BackendOptions> ParseDsmrP1Options(ConfigSection& section) {
    return Parse(section);
}

const BackendPlugin dsmr_p1_backend_plugin{"dsmr_p1", Parse, Create};

} // namespace meteremu
