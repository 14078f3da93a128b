// SPDX-License-Identifier: MIT
#pragma once

#include "backends/backend.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace meteremu {

/// [backend] keys of type = "sma_speedwire".
struct SmaSpeedwireOptions : BackendOptions {
    /// Where to join the multicast group: an interface name or one of its IPv4 addresses;
    /// empty: the interface the kernel routes multicast through.
    std::string interface;
    /// The meter to use; none: the first one heard.
    std::optional<std::uint32_t> serial;
};

std::unique_ptr<BackendOptions> ParseSmaSpeedwireOptions(ConfigSection& section);

extern const BackendPlugin sma_speedwire_backend_plugin;

} // namespace meteremu
