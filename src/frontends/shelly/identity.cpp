// SPDX-License-Identifier: MIT
#include "frontends/shelly/identity.hpp"

#include <cctype>

namespace meteremu::shelly {
namespace {

int HexValue(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

} // namespace

Identity MakeIdentity(const MacAddress& mac) {
    static constexpr char kUpper[] = "0123456789ABCDEF";
    static constexpr char kLower[] = "0123456789abcdef";
    Identity identity;
    std::string lower;
    for (auto byte : mac) {
        identity.mac += kUpper[byte >> 4];
        identity.mac += kUpper[byte & 0xf];
        lower += kLower[byte >> 4];
        lower += kLower[byte & 0xf];
    }
    identity.id = "shellypro3em-" + lower;
    return identity;
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
