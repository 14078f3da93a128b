// SPDX-License-Identifier: MIT
// Fuzz target: the WebSocket frame reader on a client's byte stream, fed in pieces as the
// socket would deliver them. Input: one byte choosing the piece size (1 to 64), then the
// stream. Checked: a text message is whole, valid UTF-8 and within the size limit; nothing
// follows a failure; the reader never holds much more than the limit.
#include "fuzz/fuzz_support.hpp"
#include "net/websocket_protocol.hpp"

using meteremu::fuzz::Require;
using namespace meteremu::websocket;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    constexpr std::size_t kLimit = 1024;
    if (size == 0) return 0;
    std::size_t piece = data[0] % 64 + 1;
    std::string_view stream = meteremu::fuzz::AsText(data + 1, size - 1);
    MessageReader reader(kLimit);
    bool failed = false;
    while (!stream.empty()) {
        reader.Feed(stream.substr(0, piece));
        stream.remove_prefix(std::min(piece, stream.size()));
        while (auto event = reader.Next()) {
            Require(!failed, "no event after a failure");
            if (event->kind == Event::Kind::Fail) failed = true;
            if (event->kind == Event::Kind::Text) {
                Require(event->payload.size() <= kLimit, "a text message within the limit");
                Require(IsValidUtf8(event->payload), "a text message in UTF-8");
            }
            if (event->kind == Event::Kind::Ping || event->kind == Event::Kind::Pong)
                Require(event->payload.size() <= 125, "a short control frame");
        }
        // What the reader holds is bounded by the message limit plus one frame header and a
        // piece: a client cannot make it buffer without end.
        Require(failed || reader.Buffered() <= kLimit + 14 + 125 + piece, "bounded buffering");
    }
    // The server frames of whatever came in must be well formed too.
    EncodeClose(close_code::kNormal, std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
