// SPDX-License-Identifier: MIT
#pragma once

#include "backends/backend.hpp"

#include <cstdint>

namespace meteremu {

struct DemoOptions : BackendOptions {
    std::uint64_t seed = 42;
};

extern const BackendPlugin demo_backend_plugin;

} // namespace meteremu
