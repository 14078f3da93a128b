// SPDX-License-Identifier: MIT
// Fuzz target: one UDP payload on SMA's multicast group. The parser may refuse it
// (SpeedwireError) or find no meter in it, never crash or throw anything else; a meter it
// accepts maps to a reading with finite powers whose sign follows P+ − P−.
#include "backends/sma_speedwire/speedwire.hpp"
#include "fuzz/fuzz_support.hpp"

#include <cmath>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace meteremu;
    try {
        auto meter = sma::ParseMeterDatagram(std::span(data, size));
        if (!meter) return 0;
        Reading reading = sma::ToReading(*meter, WallTime{});
        for (std::size_t i = 0; i < kPhaseCount; ++i) {
            const PhaseReading& phase = reading.phases[i];
            fuzz::Require(std::isfinite(phase.act_power) && std::isfinite(phase.import_wh),
                          "finite values");
            fuzz::Require(phase.aprt_power >= std::abs(phase.act_power), "S >= |P|");
            fuzz::Require(phase.power_factor >= -1 && phase.power_factor <= 1, "|pf| <= 1");
            double net = meter->phases[i].import_w - meter->phases[i].export_w;
            fuzz::Require(phase.act_power == net, "P = P+ - P-");
        }
        sma::DeviceName(meter->susy_id);
    } catch (const sma::SpeedwireError&) {
    }
    return 0;
}
