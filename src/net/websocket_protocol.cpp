// SPDX-License-Identifier: MIT
#include "net/websocket_protocol.hpp"

#include "util/base64.hpp"
#include "util/sha1.hpp"

#include <algorithm>

namespace meteremu::websocket {
namespace {

constexpr std::string_view kHandshakeGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr std::uint8_t kFin = 0x80;
constexpr std::uint8_t kMasked = 0x80;
constexpr std::size_t kMaxControlPayload = 125;

std::uint64_t BigEndian(std::string_view bytes) {
    std::uint64_t value = 0;
    for (char byte : bytes)
        value = value << 8 | static_cast<std::uint8_t>(byte);
    return value;
}

bool IsControl(Opcode opcode) {
    return static_cast<std::uint8_t>(opcode) & 0x8;
}

bool IsKnown(std::uint8_t opcode) {
    return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xA);
}

/// Codes a peer may send (RFC 6455 §7.4.1-2; 1004-1006 and 1015 are reserved).
bool IsSendableCloseCode(std::uint16_t code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
           (code >= 3000 && code <= 4999);
}

/// Bytes that continue a UTF-8 sequence starting with `lead`, and the smallest code point
/// that needs that many (shorter encodings are overlong and invalid).
bool SequenceOf(unsigned char lead, int& continuation, std::uint32_t& value,
                std::uint32_t& minimum) {
    if (lead < 0x80) return continuation = 0, value = lead, minimum = 0, true;
    if ((lead & 0xE0) == 0xC0) return continuation = 1, value = lead & 0x1F, minimum = 0x80, true;
    if ((lead & 0xF0) == 0xE0) return continuation = 2, value = lead & 0x0F, minimum = 0x800, true;
    if ((lead & 0xF8) == 0xF0)
        return continuation = 3, value = lead & 0x07, minimum = 0x10000, true;
    return false;
}

/// A failure that closes with 1002.
Event ProtocolError(const char* reason) {
    return {Event::Kind::Fail, reason, close_code::kProtocolError};
}

} // namespace

std::optional<std::string> AcceptKey(std::string_view client_key) {
    auto decoded = Base64Decode(client_key);
    if (!decoded || decoded->size() != 16) return std::nullopt;
    std::string joined = std::string(client_key) + std::string(kHandshakeGuid);
    Sha1Digest digest = Sha1(joined);
    return Base64Encode(
        std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

namespace {

/// The first byte and the length of a frame's header; the mask bit set when `masked`.
std::string FrameHeader(Opcode opcode, std::size_t size, bool masked) {
    std::string header;
    header += static_cast<char>(kFin | static_cast<std::uint8_t>(opcode));
    std::uint8_t mask_bit = masked ? kMasked : 0;
    if (size < 126) {
        header += static_cast<char>(mask_bit | size);
    } else if (size <= 0xFFFF) {
        header += static_cast<char>(mask_bit | 126);
        header += static_cast<char>(size >> 8);
        header += static_cast<char>(size & 0xFF);
    } else {
        header += static_cast<char>(mask_bit | 127);
        for (int shift = 56; shift >= 0; shift -= 8)
            header += static_cast<char>((static_cast<std::uint64_t>(size) >> shift) & 0xFF);
    }
    return header;
}

} // namespace

std::string EncodeFrame(Opcode opcode, std::string_view payload) {
    std::string frame = FrameHeader(opcode, payload.size(), false);
    frame += payload;
    return frame;
}

std::string EncodeMaskedFrame(Opcode opcode, std::string_view payload, MaskKey mask) {
    std::string frame = FrameHeader(opcode, payload.size(), true);
    frame.append(reinterpret_cast<const char*>(mask.data()), mask.size());
    std::size_t start = frame.size();
    frame += payload;
    for (std::size_t i = 0; i < payload.size(); ++i)
        frame[start + i] = static_cast<char>(frame[start + i] ^ static_cast<char>(mask[i % 4]));
    return frame;
}

std::string CloseBody(std::uint16_t code, std::string_view reason) {
    if (code == close_code::kNoStatus) return {};
    std::string body;
    body += static_cast<char>(code >> 8);
    body += static_cast<char>(code & 0xFF);
    body += reason.substr(0, 123); // a control frame carries at most 125 bytes
    return body;
}

std::string EncodeClose(std::uint16_t code, std::string_view reason) {
    return EncodeFrame(Opcode::Close, CloseBody(code, reason));
}

bool IsValidUtf8(std::string_view text) noexcept {
    for (size_t at = 0; at < text.size();) {
        int continuation;
        std::uint32_t value;
        std::uint32_t minimum;
        if (!SequenceOf(static_cast<unsigned char>(text[at]), continuation, value, minimum))
            return false;
        if (at + static_cast<size_t>(continuation) >= text.size() && continuation) return false;
        for (int i = 1; i <= continuation; ++i) {
            auto byte = static_cast<unsigned char>(text[at + static_cast<size_t>(i)]);
            if ((byte & 0xC0) != 0x80) return false;
            value = value << 6 | (byte & 0x3F);
        }
        if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
            return false;
        at += static_cast<size_t>(continuation) + 1;
    }
    return true;
}

MessageReader::MessageReader(std::size_t max_message_bytes, FramesFrom from)
    : max_message_(max_message_bytes),
      capacity_(std::max<std::size_t>(max_message_bytes, kMaxControlPayload) + kMaxFrameHeader),
      from_(from) {}

std::size_t MessageReader::Feed(std::string_view bytes) {
    if (failed_) return bytes.size(); // read and discarded: nothing is kept after a failure
    buffer_.erase(0, read_);          // at most a partial frame: Capacity() bytes
    read_ = 0;
    std::size_t taken = std::min(bytes.size(), capacity_ - buffer_.size());
    buffer_.append(bytes.substr(0, taken));
    return taken;
}

Event MessageReader::Fail(std::uint16_t code, std::string reason) {
    failed_ = true;
    // Nothing is kept after a failure, a message half assembled included; the memory goes back.
    std::string().swap(buffer_);
    std::string().swap(message_);
    read_ = 0;
    in_message_ = false;
    return {Event::Kind::Fail, std::move(reason), code};
}

MessageReader::HeaderResult MessageReader::ReadHeader() const {
    std::string_view available(buffer_.data() + read_, buffer_.size() - read_);
    if (available.size() < 2) return NeedMore{};
    auto first = static_cast<std::uint8_t>(available[0]);
    auto second = static_cast<std::uint8_t>(available[1]);
    if (first & 0x70) return ProtocolError("reserved bits set");
    if (!IsKnown(first & 0x0F)) return ProtocolError("unknown opcode");
    bool masked = (second & kMasked) != 0;
    if (from_ == FramesFrom::Client && !masked)
        return ProtocolError("client frames must be masked");
    if (from_ == FramesFrom::Server && masked)
        return ProtocolError("server frames must not be masked");
    Header header{(first & kFin) != 0, static_cast<Opcode>(first & 0x0F), second & 0x7Fu, 2,
                  masked};
    size_t extended = header.length == 126 ? 2 : header.length == 127 ? 8 : 0;
    if (available.size() < 2 + extended) return NeedMore{};
    if (extended) header.length = BigEndian(available.substr(2, extended));
    if (header.length >> 63) return ProtocolError("frame length out of range");
    header.size = 2 + extended + (masked ? 4 : 0);
    return header;
}

std::optional<Event> MessageReader::Check(const Header& header) const {
    if (IsControl(header.opcode)) {
        if (!header.fin) return ProtocolError("fragmented control frame");
        if (header.length > kMaxControlPayload)
            return ProtocolError("control frame over 125 bytes");
        return std::nullopt;
    }
    if (header.opcode == Opcode::Continuation && !in_message_)
        return ProtocolError("continuation frame without a message");
    if (header.opcode != Opcode::Continuation && in_message_)
        return ProtocolError("new message inside a fragmented one");
    if (header.opcode == Opcode::Binary)
        return Event{Event::Kind::Fail, "binary messages are not accepted",
                     close_code::kUnsupportedData};
    if (header.length > max_message_ - message_.size())
        return Event{Event::Kind::Fail, "message too big", close_code::kTooBig};
    return std::nullopt;
}

std::optional<Event> MessageReader::Control(Opcode opcode, std::string payload) {
    if (opcode == Opcode::Ping) return Event{Event::Kind::Ping, std::move(payload)};
    if (opcode == Opcode::Pong) return Event{Event::Kind::Pong, std::move(payload)};
    if (payload.empty()) return Event{Event::Kind::Close, {}, close_code::kNoStatus};
    if (payload.size() == 1) return Fail(close_code::kProtocolError, "close frame of one byte");
    auto code = static_cast<std::uint16_t>(BigEndian(std::string_view(payload).substr(0, 2)));
    if (!IsSendableCloseCode(code)) return Fail(close_code::kProtocolError, "invalid close code");
    std::string reason = payload.substr(2);
    if (!IsValidUtf8(reason)) return Fail(close_code::kInvalidPayload, "close reason not UTF-8");
    return Event{Event::Kind::Close, std::move(reason), code};
}

void MessageReader::Compact() {
    if (read_ != buffer_.size()) return; // Feed() moves a partial frame to the front
    buffer_.clear();
    read_ = 0;
}

std::optional<Event> MessageReader::Next() {
    while (!failed_) {
        HeaderResult result = ReadHeader();
        if (auto* failure = std::get_if<Event>(&result))
            return Fail(failure->code, std::move(failure->payload));
        auto* header = std::get_if<Header>(&result);
        if (!header) break;
        if (auto rejected = Check(*header)) return Fail(rejected->code, rejected->payload);
        if (buffer_.size() - read_ < header->size + header->length) break;
        std::string payload = buffer_.substr(read_ + header->size, header->length);
        if (header->masked) {
            const char* mask = buffer_.data() + read_ + header->size - 4;
            for (size_t i = 0; i < payload.size(); ++i)
                payload[i] = static_cast<char>(payload[i] ^ mask[i % 4]);
        }
        read_ += header->size + header->length;
        Compact();
        if (IsControl(header->opcode)) return Control(header->opcode, std::move(payload));
        in_message_ = !header->fin;
        message_ += payload;
        if (in_message_) continue;
        if (!IsValidUtf8(message_)) return Fail(close_code::kInvalidPayload, "text not UTF-8");
        Event text{Event::Kind::Text, std::move(message_)};
        message_.clear();
        return text;
    }
    Compact();
    return std::nullopt;
}

} // namespace meteremu::websocket
