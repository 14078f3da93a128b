// SPDX-License-Identifier: MIT
// Fuzz target: the body of GET /production.json?details=1, the fallback for grid data.
#include "backends/envoy/envoy_error.hpp"
#include "backends/envoy/production_json.hpp"
#include "fuzz/fuzz_support.hpp"

#include <cmath>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace meteremu::envoy;
    try {
        auto grid = ParseProductionJsonGrid(meteremu::fuzz::AsText(data, size));
        if (!grid) return 0;
        meteremu::fuzz::Require(grid->lines >= 0 && grid->lines <= 3, "0 to 3 lines");
        for (const auto& phase : grid->reading.phases)
            meteremu::fuzz::Require(
                std::isfinite(phase.act_power) && std::isfinite(phase.aprt_power) &&
                    std::isfinite(phase.voltage) && std::isfinite(phase.current) &&
                    std::isfinite(phase.power_factor),
                "finite values only");
    } catch (const EnvoyError&) {
    }
    return 0;
}
