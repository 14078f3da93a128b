// SPDX-License-Identifier: MIT
// Fuzz target: the body of GET /ivp/meters/readings (JSON), mapped for each kind of meter
// setup: a net-consumption CT on three phases, a total-consumption CT with production on one.
// A mapped reading must never carry a value that is not a number.
#include "backends/envoy/envoy_error.hpp"
#include "backends/envoy/readings.hpp"
#include "fuzz/fuzz_support.hpp"

#include <cmath>

namespace {

using namespace meteremu::envoy;

constexpr std::string_view kNetMeters = R"([
{"eid":704643328,"state":"enabled","measurementType":"production","phaseMode":"three",
 "phaseCount":3,"meteringStatus":"normal","statusFlags":[]},
{"eid":704643584,"state":"enabled","measurementType":"net-consumption","phaseMode":"three",
 "phaseCount":3,"meteringStatus":"normal","statusFlags":[]}])";

constexpr std::string_view kTotalMeters = R"([
{"eid":704643328,"state":"enabled","measurementType":"production","phaseMode":"single",
 "phaseCount":1,"meteringStatus":"normal","statusFlags":[]},
{"eid":704643584,"state":"enabled","measurementType":"total-consumption","phaseMode":"single",
 "phaseCount":1,"meteringStatus":"normal","statusFlags":[]}])";

void CheckFinite(const meteremu::Reading& reading) {
    for (const auto& phase : reading.phases)
        for (double value : {phase.voltage, phase.current, phase.act_power, phase.aprt_power,
                             phase.power_factor, phase.frequency, phase.import_wh, phase.export_wh})
            meteremu::fuzz::Require(std::isfinite(value), "finite values only");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const MeterSetup net = ParseMeters(kNetMeters);
    static const MeterSetup total = ParseMeters(kTotalMeters);
    try {
        ReadingsDocument document(meteremu::fuzz::AsText(data, size));
        try {
            CheckFinite(MapNetConsumption(net, document));
        } catch (const EnvoyError&) {
        }
        try {
            CheckFinite(MapTotalConsumption(total, document));
        } catch (const EnvoyError&) {
        }
    } catch (const EnvoyError&) {
    }
    return 0;
}
