// SPDX-License-Identifier: MIT
// Fuzz target: Home Assistant's messages. The input is read as a WebSocket text frame (one
// message or a coalesced array) and as the body of GET /api/states/<entity>; every state an
// update carries is read as watts with its unit. Links only the message parser (and jansson).
#include "backends/home_assistant/ha_messages.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {

using namespace meteremu::home_assistant;

void CheckWatts(const EntityUpdate& update) {
    if (!update.state) return;
    try {
        auto watts = Watts(*update.state, update.unit);
        if (watts && !std::isfinite(*watts)) {
            std::fprintf(stderr, "fuzz invariant broken: watts that are not finite\n");
            std::abort();
        }
    } catch (const MessageError&) {
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    try {
        for (const ServerMessage& message : ParseServerMessages(input)) {
            if (message.type != ServerMessage::Type::Event && !message.updates.empty()) {
                std::fprintf(stderr, "fuzz invariant broken: updates outside an event\n");
                std::abort();
            }
            for (const EntityUpdate& update : message.updates)
                CheckWatts(update);
        }
    } catch (const MessageError&) {
    }
    try {
        CheckWatts(ParseRestState(input));
    } catch (const MessageError&) {
    }
    return 0;
}
