// SPDX-License-Identifier: MIT
// Fuzz target: the WebSocket frame reader on a client's byte stream, fed in pieces as the
// socket would deliver them. Input: one byte choosing the piece size (1 to 64), then the
// stream. Checked: a text message is whole, valid UTF-8 and within the size limit; nothing
// follows a failure; the reader never holds more than one frame of the largest size, and
// a full one always makes progress.
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
        std::size_t taken = reader.Feed(stream.substr(0, piece));
        stream.remove_prefix(taken);
        // The reader holds at most one frame of the largest size with its header; after a
        // failure it keeps nothing: a client cannot make it buffer without end.
        Require(reader.Unread() <= kLimit + kMaxFrameHeader, "bounded buffering");
        Require(!failed || reader.Buffered() == 0, "nothing kept after a failure");
        bool progress = taken > 0;
        while (auto event = reader.Next()) {
            progress = true;
            Require(!failed, "no event after a failure");
            if (event->kind == Event::Kind::Fail) failed = true;
            if (event->kind == Event::Kind::Text) {
                Require(event->payload.size() <= kLimit, "a text message within the limit");
                Require(IsValidUtf8(event->payload), "a text message in UTF-8");
            }
            if (event->kind == Event::Kind::Ping || event->kind == Event::Kind::Pong)
                Require(event->payload.size() <= 125, "a short control frame");
        }
        Require(progress, "a full reader always has a whole frame to give");
    }
    // The server frames of whatever came in must be well formed too.
    EncodeClose(close_code::kNormal, std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
