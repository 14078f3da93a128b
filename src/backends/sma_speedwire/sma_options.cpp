// SPDX-License-Identifier: MIT
#include "backends/sma_speedwire/sma_options.hpp"

#include "backends/sma_speedwire/sma_backend.hpp"
#include "config/config_section.hpp"

#include <arpa/inet.h>
#include <charconv>
#include <net/if.h>

namespace meteremu {
namespace {

bool IsInterfaceName(const std::string& name) {
    if (name.empty() || name.size() >= IFNAMSIZ) return false;
    return name.find_first_of("/: \t") == std::string::npos;
}

bool IsIpv4Address(const std::string& text) {
    in_addr address{};
    return inet_pton(AF_INET, text.c_str(), &address) == 1;
}

void ParseInterface(ConfigSection& section, SmaSpeedwireOptions& options) {
    auto interface = section.String("interface");
    if (!interface) return;
    if (!interface->empty() && !IsIpv4Address(*interface) && !IsInterfaceName(*interface)) {
        section.ErrorAt("interface", "expected an interface name such as \"eth0\" or one of "
                                     "its IPv4 addresses, or \"\" for the default");
        return;
    }
    options.interface = *interface;
}

void ParseSerial(ConfigSection& section, SmaSpeedwireOptions& options) {
    auto serial = section.String("serial");
    if (!serial || serial->empty()) return;
    std::uint32_t value = 0;
    const char* end = serial->data() + serial->size();
    auto [stop, error] = std::from_chars(serial->data(), end, value);
    if (error != std::errc() || stop != end || value == 0) {
        section.ErrorAt("serial", "expected the meter's serial number in digits, as on its "
                                  "label (\"Serial No.\"), e.g. \"1901429669\"");
        return;
    }
    options.serial = value;
}

std::unique_ptr<BackendOptions> Parse(ConfigSection& section) {
    auto options = std::make_unique<SmaSpeedwireOptions>();
    ParseInterface(section, *options);
    ParseSerial(section, *options);
    return options;
}

std::unique_ptr<Backend> Create(const BackendOptions& options, const BackendContext& context) {
    return std::make_unique<sma::SmaSpeedwireBackend>(
        static_cast<const SmaSpeedwireOptions&>(options), context);
}

} // namespace

std::unique_ptr<BackendOptions> ParseSmaSpeedwireOptions(ConfigSection& section) {
    return Parse(section);
}

const BackendPlugin sma_speedwire_backend_plugin{"sma_speedwire", Parse, Create};

} // namespace meteremu
