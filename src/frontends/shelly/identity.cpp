// SPDX-License-Identifier: MIT
#include "frontends/shelly/identity.hpp"

#include <cctype>
#include <cstdint>

namespace meteremu::shelly {
namespace {

constexpr char kUpper[] = "0123456789ABCDEF";
constexpr char kLower[] = "0123456789abcdef";

int HexValue(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/// 32 hex digits that look like a factory key and say nothing but the MAC (FNV-1a).
std::string OpaqueKey(const MacAddress& mac) {
    std::string key;
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (int round = 0; round < 2; ++round) {
        for (auto byte : mac)
            hash = (hash ^ byte ^ static_cast<std::uint64_t>(round)) * 0x100000001b3ULL;
        for (int shift = 60; shift >= 0; shift -= 4)
            key += kLower[(hash >> shift) & 0xf];
    }
    return key;
}

} // namespace

std::string_view ProfileName(Profile profile) noexcept {
    return profile == Profile::Monophase ? "monophase" : "triphase";
}

std::optional<Profile> ParseProfile(std::string_view name) noexcept {
    if (name == "triphase") return Profile::Triphase;
    if (name == "monophase") return Profile::Monophase;
    return std::nullopt;
}

Identity MakeIdentity(const MacAddress& mac, Profile profile) {
    Identity identity;
    std::string lower;
    for (auto byte : mac) {
        identity.mac += kUpper[byte >> 4];
        identity.mac += kUpper[byte & 0xf];
        lower += kLower[byte >> 4];
        lower += kLower[byte & 0xf];
    }
    identity.id = "shellypro3em-" + lower;
    identity.profile = profile;
    identity.key = OpaqueKey(mac);
    return identity;
}

std::string AccessPointSsid(const Identity& identity) {
    return "ShellyPro3EM-" + identity.mac;
}

std::optional<MacAddress> ParseMac(std::string_view text) noexcept {
    MacAddress mac{};
    size_t digits = 0;
    bool after_separator = false;
    for (char c : text) {
        bool separator = c == ':' || c == '-';
        if (separator && digits % 2 == 0 && digits > 0 && !after_separator) {
            after_separator = true;
            continue;
        }
        after_separator = false;
        int value = HexValue(c);
        if (value < 0 || digits >= 12) return std::nullopt;
        mac[digits / 2] = static_cast<std::uint8_t>((mac[digits / 2] << 4) | value);
        ++digits;
    }
    if (digits != 12) return std::nullopt;
    return mac;
}

} // namespace meteremu::shelly
