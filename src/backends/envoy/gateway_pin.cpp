// SPDX-License-Identifier: MIT
#include "backends/envoy/gateway_pin.hpp"

#include "util/atomic_file.hpp"

#include <sstream>
#include <stdexcept>
#include <system_error>

namespace meteremu::envoy {

std::filesystem::path GatewayPinPath(const std::filesystem::path& state_directory) {
    return state_directory / "gateway-pin";
}

std::optional<GatewayPin> LoadGatewayPin(const std::filesystem::path& file) {
    auto content = ReadSmallFile(file);
    if (!content) return std::nullopt;
    GatewayPin pin;
    std::istringstream lines(*content);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind("serial ", 0) == 0) pin.serial = line.substr(7);
        if (line.rfind("key ", 0) == 0) pin.key = line.substr(4);
    }
    if (pin.serial.empty() || pin.key.rfind("sha256//", 0) != 0)
        throw std::runtime_error(file.string() + " is not a gateway pin (no serial or key line)");
    return pin;
}

void SaveGatewayPin(const std::filesystem::path& file, const GatewayPin& pin) {
    WriteFileAtomically(file,
                        "# The Envoy meteremu trusts (trust on first use). To accept a replaced\n"
                        "# gateway, run meteremu --forget-gateway or delete this file.\n"
                        "serial " +
                            pin.serial + "\nkey " + pin.key + "\n",
                        0644);
}

bool ForgetGatewayPin(const std::filesystem::path& file) {
    std::error_code error;
    bool removed = std::filesystem::remove(file, error);
    if (error) throw std::system_error(error, "cannot delete " + file.string());
    return removed;
}

} // namespace meteremu::envoy
