// SPDX-License-Identifier: MIT
#include "frontends/ct002/ct002_frame.hpp"

#include "core/mac_address.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

namespace meteremu::ct002 {
namespace {

constexpr char kSoh = 0x01;
constexpr char kStx = 0x02;
constexpr char kEtx = 0x03;
/// SOH, STX, ETX and the two checksum characters.
constexpr std::size_t kFraming = 5;
/// Types are short ("JPLS-8H"); a longer one could make a reply no battery reads.
constexpr std::size_t kMaxTypeSize = 16;

int HexDigit(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// Real meters print the checksum with a space for a leading zero (" 2").
std::optional<unsigned> ParseChecksum(char high, char low) noexcept {
    int h = high == ' ' ? 0 : HexDigit(high);
    int l = HexDigit(low);
    if (h < 0 || l < 0) return std::nullopt;
    return static_cast<unsigned>(h * 16 + l);
}

unsigned Xor(std::string_view bytes) noexcept {
    unsigned sum = 0;
    for (char c : bytes)
        sum ^= static_cast<unsigned char>(c);
    return sum;
}

/// 12 hex digits, no separators: as a battery spells a MAC.
bool IsHex12(std::string_view text) noexcept {
    return text.size() == 12 && ParseMacAddress(text);
}

std::optional<Phase> ParsePhase(std::string_view text) noexcept {
    if (text.size() > 1) return std::nullopt;
    switch (text.empty() ? '0' : text.front()) {
    case 'A':
        return Phase::A;
    case 'B':
        return Phase::B;
    case 'C':
        return Phase::C;
    case 'D':
        return Phase::Sum;
    // "0" while detecting; other digits come from synthetic frames only: no phase either.
    default:
        return text.empty() || (text.front() >= '0' && text.front() <= '9')
                   ? std::optional(Phase::Detecting)
                   : std::nullopt;
    }
}

template <typename Integer>
std::optional<Integer> ParseInteger(std::string_view text) noexcept {
    Integer value{};
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || text.empty())
        return std::nullopt;
    return value;
}

void AppendField(std::string& out, std::string_view text) {
    out += '|';
    out += text;
}

void AppendField(std::string& out, std::int64_t value) {
    char digits[24];
    auto* end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    out += '|';
    out.append(digits, end);
}

/// Where a body starts in a string framed in place: room for SOH, STX and five digits.
constexpr std::size_t kBodyStart = 7;

/// Frames the body `out` holds from kBodyStart on: the header written into the room before
/// it (the length counts its own digits), ETX and the sum after it. No allocation once `out`
/// has held a frame of this size.
void FrameInPlace(std::string& out) {
    std::size_t base = out.size() - kBodyStart + kFraming;
    char digits[24];
    std::size_t count = 1;
    for (;; ++count) {
        std::size_t written = static_cast<std::size_t>(
            std::to_chars(digits, digits + sizeof digits, base + count).ptr - digits);
        if (written == count) break;
    }
    if (count + 2 > kBodyStart) out.insert(0, count + 2 - kBodyStart, '\0'); // never for a datagram
    std::size_t header = std::max(kBodyStart, count + 2) - count - 2;
    out[header] = kSoh;
    out[header + 1] = kStx;
    out.replace(header + 2, count, digits, count);
    out.erase(0, header);
    out += kEtx;
    constexpr std::string_view kHex = "0123456789abcdef";
    unsigned sum = Xor(out);
    out += kHex[sum >> 4];
    out += kHex[sum & 0xf];
}

char PhaseText(Phase phase) noexcept {
    constexpr std::string_view kText = "0ABCD";
    return kText[static_cast<std::size_t>(phase)];
}

} // namespace

std::size_t BucketOf(Phase phase) noexcept {
    return static_cast<std::size_t>(phase);
}

std::optional<Fields> ParseFrame(std::string_view datagram) noexcept {
    std::size_t size = datagram.size();
    if (size < kFraming + 1 || size > kMaxFrameSize) return std::nullopt;
    if (datagram[0] != kSoh || datagram[1] != kStx || datagram[size - 3] != kEtx)
        return std::nullopt;
    auto checksum = ParseChecksum(datagram[size - 2], datagram[size - 1]);
    if (!checksum || *checksum != Xor(datagram.substr(0, size - 2))) return std::nullopt;
    std::string_view inner = datagram.substr(2, size - 5);
    std::size_t bar = inner.find('|');
    if (bar == std::string_view::npos || ParseInteger<std::size_t>(inner.substr(0, bar)) != size)
        return std::nullopt;
    Fields fields;
    for (std::string_view rest = inner.substr(bar); !rest.empty();) {
        if (fields.count == Fields::kLimit) return std::nullopt;
        std::size_t next = rest.find('|', 1);
        fields.values[fields.count++] =
            rest.substr(1, next == std::string_view::npos ? next : next - 1);
        rest = next == std::string_view::npos ? std::string_view() : rest.substr(next);
    }
    return fields;
}

std::optional<Request> ParseRequest(std::string_view datagram) noexcept {
    auto fields = ParseFrame(datagram);
    if (!fields || fields->count < 6 || fields->count > 7) return std::nullopt;
    const auto& f = fields->values;
    auto phase = ParsePhase(f[4]);
    auto power = ParseInteger<std::int32_t>(f[5]);
    if (f[0].size() > kMaxTypeSize || f[2].size() > kMaxTypeSize) return std::nullopt;
    if (!IsHex12(f[1]) || !(IsHex12(f[3]) || f[3].empty()) || !phase || !power) return std::nullopt;
    Request request{f[0], f[1], f[2], f[3], *phase, *power, true};
    if (fields->count == 7) request.participates = f[6] != "0";
    return request;
}

void BuildFrame(std::string& out, std::string_view body) {
    out.assign(kBodyStart, '\0');
    out += body;
    FrameInPlace(out);
}

void BuildReply(std::string& out, const Reply& reply) {
    out.assign(kBodyStart, '\0'); // the body goes straight behind room for the header
    for (std::string_view text :
         {reply.ct_type, reply.ct_mac, reply.battery_type, reply.battery_mac})
        AppendField(out, text);
    for (std::int32_t watts : reply.grid)
        AppendField(out, watts);
    AppendField(out, reply.grid_total);
    for (std::int32_t count : reply.counts)
        AppendField(out, count);
    AppendField(out, reply.rssi);
    AppendField(out, reply.index);
    for (std::int32_t watts : reply.charging)
        AppendField(out, watts);
    for (std::int32_t watts : reply.discharging)
        AppendField(out, watts);
    FrameInPlace(out);
}

std::string BuildRequest(const Request& request) {
    std::string body;
    for (std::string_view text : {request.battery_type, request.battery_mac, request.ct_type,
                                  request.ct_mac.empty() ? kAnyMeter : request.ct_mac})
        AppendField(body, text);
    const char phase = PhaseText(request.phase);
    AppendField(body, std::string_view(&phase, 1));
    AppendField(body, request.power);
    if (!request.participates) AppendField(body, "0");
    std::string frame;
    BuildFrame(frame, body);
    return frame;
}

} // namespace meteremu::ct002
