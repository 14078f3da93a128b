// SPDX-License-Identifier: MIT
// RFC 6455 framing without any I/O, for both ends: the handshake's accept key, server frames
// (never masked) and client frames (always masked), and a reader that turns the peer's byte
// stream into text messages and control frames while enforcing the rules: a server's reader
// wants every frame masked, a client's (net/websocket_client.hpp) none; no reserved bits or
// unknown opcodes, control frames short and whole, continuation frames only inside a
// fragmented message, text that is UTF-8, and a size limit per message.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace meteremu::websocket {

enum class Opcode : std::uint8_t {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

/// Close status codes (RFC 6455 §7.4.1).
namespace close_code {
inline constexpr std::uint16_t kNormal = 1000;
inline constexpr std::uint16_t kGoingAway = 1001;
inline constexpr std::uint16_t kProtocolError = 1002;
inline constexpr std::uint16_t kUnsupportedData = 1003;
inline constexpr std::uint16_t kNoStatus = 1005; ///< received without a code; never sent
inline constexpr std::uint16_t kInvalidPayload = 1007;
inline constexpr std::uint16_t kPolicyViolation = 1008;
inline constexpr std::uint16_t kTooBig = 1009;
inline constexpr std::uint16_t kTryAgainLater = 1013;
} // namespace close_code

/// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key; nullopt when the key is not the
/// base64 of 16 bytes.
std::optional<std::string> AcceptKey(std::string_view client_key);

/// One unfragmented server frame.
std::string EncodeFrame(Opcode opcode, std::string_view payload);

/// The four bytes a client masks a frame's payload with, fresh for every frame.
using MaskKey = std::array<std::uint8_t, 4>;

/// One unfragmented client frame, masked with `mask`.
std::string EncodeMaskedFrame(Opcode opcode, std::string_view payload, MaskKey mask);

/// The payload of a close frame; code kNoStatus makes it empty.
std::string CloseBody(std::uint16_t code, std::string_view reason = {});

/// A server's close frame; code kNoStatus sends an empty body.
std::string EncodeClose(std::uint16_t code, std::string_view reason = {});

bool IsValidUtf8(std::string_view text) noexcept;

struct Event {
    enum class Kind {
        Text,  ///< a whole text message (fragments joined)
        Ping,  ///< answer with a pong carrying `payload`
        Pong,  ///< nothing to do
        Close, ///< the client closes with `code` (kNoStatus: none given) and `payload`
        Fail,  ///< the client broke the protocol: close with `code`, reason `payload`
    };
    Kind kind;
    std::string payload;
    std::uint16_t code = 0;
};

/// The longest frame header: two bytes, a 64-bit length and the mask.
inline constexpr std::size_t kMaxFrameHeader = 14;

/// Whose frames a reader reads: a client's are masked, a server's never are.
enum class FramesFrom { Client, Server };

class MessageReader {
public:
    explicit MessageReader(std::size_t max_message_bytes, FramesFrom from = FramesFrom::Client);

    /// Takes bytes as read from the socket, as many as fit in Capacity(), and returns how many
    /// it took; Next() makes room for the rest. After a Fail it takes everything and keeps
    /// nothing: what a client sends after breaking the protocol is never buffered.
    std::size_t Feed(std::string_view bytes);

    /// The next event, or nullopt until more bytes arrive. Nothing follows a Fail.
    std::optional<Event> Next();

    /// The most unread bytes held at once: one frame of the largest size allowed, header
    /// included. A reader that holds this much always has a whole frame (or a failure) for
    /// Next(), so it never waits for bytes it has no room for.
    std::size_t Capacity() const noexcept { return capacity_; }

    /// Unread bytes held, at most Capacity().
    std::size_t Unread() const noexcept { return buffer_.size() - read_; }

    /// Bytes held: unread frames and the message being assembled.
    std::size_t Buffered() const noexcept { return Unread() + message_.size(); }

private:
    struct Header {
        bool fin;
        Opcode opcode;
        std::uint64_t length;
        std::size_t size; ///< bytes of the header, mask included
        bool masked;
    };

    struct NeedMore {};
    /// The header at the read position, NeedMore, or a Fail event.
    using HeaderResult = std::variant<NeedMore, Header, Event>;

    HeaderResult ReadHeader() const;
    std::optional<Event> Check(const Header& header) const;
    std::optional<Event> Control(Opcode opcode, std::string payload);
    Event Fail(std::uint16_t code, std::string reason);
    void Compact();

    std::size_t max_message_;
    std::size_t capacity_;
    FramesFrom from_;
    std::string buffer_;
    std::size_t read_ = 0;
    std::string message_;
    bool in_message_ = false;
    bool failed_ = false;
};

} // namespace meteremu::websocket
