// SPDX-License-Identifier: MIT
// Trust on first use of the Envoy (README "Gateway pinning"): the first gateway that accepts a
// token is remembered by its serial and its certificate's public key in the state directory; a
// gateway with another key or serial is not sent the token until the owner accepts it
// (meteremu --forget-gateway, or deleting the file).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace meteremu::envoy {

struct GatewayPin {
    std::string serial;
    std::string key; ///< "sha256//<base64>", as CURLOPT_PINNEDPUBLICKEY takes it
};

/// "<state directory>/gateway-pin".
std::filesystem::path GatewayPinPath(const std::filesystem::path& state_directory);

/// The pin, or nullopt when there is none. Throws std::runtime_error naming the file when it
/// cannot be read or is not a pin (the gateway is then not trusted either).
std::optional<GatewayPin> LoadGatewayPin(const std::filesystem::path& file);

/// Writes the pin atomically. Throws std::system_error.
void SaveGatewayPin(const std::filesystem::path& file, const GatewayPin& pin);

/// Deletes the pin; false when there was none. Throws std::system_error.
bool ForgetGatewayPin(const std::filesystem::path& file);

} // namespace meteremu::envoy
