// SPDX-License-Identifier: MIT
// Fuzz target: the body of GET /ivp/meters (JSON), and the meter problems derived from it.
#include "backends/envoy/envoy_error.hpp"
#include "backends/envoy/meters.hpp"
#include "fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace meteremu::envoy;
    try {
        MeterSetup setup = ParseMeters(meteremu::fuzz::AsText(data, size));
        meteremu::fuzz::Require(setup.phase_count >= 0 && setup.phase_count <= 3,
                                "a phase count of 0 to 3");
        meteremu::fuzz::Require((setup.source == GridSource::None) != !!setup.consumption,
                                "a grid source exactly when there is a consumption CT");
        MeterProblems(setup);
    } catch (const EnvoyError&) {
    }
    return 0;
}
