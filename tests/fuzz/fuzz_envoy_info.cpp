// SPDX-License-Identifier: MIT
// Fuzz target: the body of an Envoy's GET /info (XML). A parser may reject it (BadData), never
// crash or throw anything else.
#include "backends/envoy/envoy_error.hpp"
#include "backends/envoy/info.hpp"
#include "fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace meteremu::envoy;
    try {
        EnvoyInfo info = ParseInfo(meteremu::fuzz::AsText(data, size));
        meteremu::fuzz::Require(!info.serial.empty(), "a serial");
        info.firmware.UsesTokens();
        info.firmware.AtLeast(8, 2, 4264);
    } catch (const EnvoyError&) {
    }
    return 0;
}
