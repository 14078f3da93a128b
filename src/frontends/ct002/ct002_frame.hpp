// SPDX-License-Identifier: MIT
// The frame of Marstek's CT002/CT003 meters, the same both ways: SOH STX, the datagram's
// whole length in ASCII decimal, each field behind a '|', ETX, then the XOR of every byte
// from SOH through ETX as two hex digits. A battery's request and the meter's reply are
// decoded and built here; docs/protocols/ct002.md has the fields and the real frames.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace meteremu::ct002 {

/// The CT MAC a battery asks for when any meter will do (while searching).
inline constexpr std::string_view kAnyMeter = "000000000000";

/// Longer datagrams are no CT002 frame (real ones stay under 200 bytes).
inline constexpr std::size_t kMaxFrameSize = 256;

/// What a battery regulates on, by the request's phase field.
enum class Phase : std::uint8_t {
    Detecting, ///< "0" or "": still finding its phase by pulsing its output (bucket x)
    A,
    B,
    C,
    Sum, ///< "D": the sum of the phases (bucket ABC)
};

/// A battery's poll. The views point into the datagram.
struct Request {
    std::string_view battery_type; ///< e.g. "HMG-50", "HMJ-2", "VNSD-0"
    std::string_view battery_mac;  ///< 12 hex digits, as sent
    std::string_view ct_type;      ///< "HME-4", "HME-3", or "" (Venus D firmware 149.2)
    std::string_view ct_mac;       ///< 12 hex digits; "000000000000": any meter
    Phase phase = Phase::Detecting;
    std::int32_t power = 0;   ///< the battery's own output, W: + discharging, - charging
    bool participates = true; ///< a 7th field "0": answer me, but do not count me
};

/// The battery buckets of a reply, in its field order: x (detecting), A, B, C, ABC (sum).
inline constexpr std::size_t kBuckets = 5;
std::size_t BucketOf(Phase phase) noexcept;

/// W as a reply's power field, rounded: the battery reads 16 bits per phase.
inline std::int32_t PhaseWatts(double watts) noexcept {
    return static_cast<std::int32_t>(std::clamp(std::lround(watts), -32768L, 32767L));
}

/// The meter's answer to one request.
struct Reply {
    std::string_view ct_type;
    std::string_view ct_mac;
    std::string_view battery_type;      ///< the request's, echoed
    std::string_view battery_mac;       ///< the request's, echoed
    std::array<std::int32_t, 3> grid{}; ///< W per phase, + import
    std::int32_t grid_total = 0;
    /// Batteries counted per bucket A, B, C, ABC; a battery divides its value by its own.
    std::array<std::int32_t, 4> counts{};
    std::int32_t rssi = -50; ///< dBm of the meter's Wi-Fi
    /// 0..255, one more per reply: a battery drops a reply whose non-zero index repeats.
    std::uint8_t index = 0;
    std::array<std::int32_t, kBuckets> charging{};    ///< sums of negative powers per bucket
    std::array<std::int32_t, kBuckets> discharging{}; ///< sums of positive powers per bucket
};

/// The fields between the length and ETX, if `datagram` is a well-formed frame: the length
/// counts the whole datagram, ETX is third from the end, the checksum matches (hex digits in
/// either case, a space for a leading zero). Fields are counted up to `limit`; more is no
/// frame. nullopt otherwise.
struct Fields {
    static constexpr std::size_t kLimit = 32;
    std::array<std::string_view, kLimit> values;
    std::size_t count = 0;
};
std::optional<Fields> ParseFrame(std::string_view datagram) noexcept;

/// A battery's request: a frame of 6 or 7 fields with types of at most 16 characters, a
/// 12-digit battery MAC, a 12-digit or empty CT MAC, a known phase and an integer power.
/// nullopt for anything else. Its reply then fits kMaxFrameSize.
std::optional<Request> ParseRequest(std::string_view datagram) noexcept;

/// Writes the frame of `body` ('|'-led fields) into `out`, replacing what it held.
void BuildFrame(std::string& out, std::string_view body);

/// Writes the 24-field reply frame into `out`, replacing what it held; reuses its storage.
void BuildReply(std::string& out, const Reply& reply);

/// The request frame of a battery, as the tests' and the simulator's batteries send it.
std::string BuildRequest(const Request& request);

} // namespace meteremu::ct002
