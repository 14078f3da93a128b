// SPDX-License-Identifier: MIT
// Fuzz target: a configuration file. It is accepted or refused with diagnostics that name a
// position in it, never a crash.
#include "config/config_loader.hpp"
#include "fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        meteremu::ParseConfig(meteremu::fuzz::AsText(data, size), "fuzz.toml");
    } catch (const meteremu::ConfigInvalid& invalid) {
        meteremu::fuzz::Require(!invalid.Diagnostics().empty(), "a reason to refuse");
    }
    return 0;
}
