// SPDX-License-Identifier: MIT
// Fuzz target: bytes from a P1 port. The splitter cuts them into telegrams; each is checked
// (CRC optional, so the parser sees every input) and parsed. A telegram may be refused
// (TelegramError), never crash or throw anything else, and a parsed one maps to a reading
// with finite powers.
#include "backends/dsmr_p1/telegram.hpp"
#include "backends/dsmr_p1/telegram_splitter.hpp"
#include "fuzz/fuzz_support.hpp"

#include <cmath>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace meteremu;
    std::vector<dsmr::SplitEvent> events;
    dsmr::TelegramSplitter splitter(4096);
    splitter.Feed(fuzz::AsText(data, size), events);
    // The whole input as one telegram too, so the parser also meets what the splitter cuts.
    events.push_back({true, dsmr::Fault::CutShort, std::string(fuzz::AsText(data, size))});
    for (const auto& event : events) {
        fuzz::Require(event.complete || event.text.size() <= 4097, "bounded telegrams");
        if (!event.complete) continue;
        try {
            dsmr::CheckTelegram(event.text, false);
            dsmr::P1Values values = dsmr::ParseTelegram(event.text);
            Reading reading = dsmr::ToReading(values, WallTime{});
            for (const PhaseReading& phase : reading.phases)
                fuzz::Require(std::isfinite(phase.act_power) && std::isfinite(phase.import_wh),
                              "finite values");
        } catch (const dsmr::TelegramError&) {
        }
    }
    return 0;
}
