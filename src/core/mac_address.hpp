// SPDX-License-Identifier: MIT
// A hardware address, as an emulated device reports it and platform/ derives it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace meteremu {

using MacAddress = std::array<std::uint8_t, 6>;

/// 12 hex digits without separators, as every emulated meter spells its MAC in ids and names.
inline std::string MacHex(const MacAddress& mac, bool upper) {
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    std::string text;
    for (auto byte : mac) {
        text += digits[byte >> 4];
        text += digits[byte & 0xf];
    }
    return text;
}

/// 12 hex digits in either case, optionally separated by ':' or '-' between pairs.
inline std::optional<MacAddress> ParseMacAddress(std::string_view text) noexcept {
    MacAddress mac{};
    std::size_t digits = 0;
    bool after_separator = false;
    for (char c : text) {
        bool separator = c == ':' || c == '-';
        if (separator && digits % 2 == 0 && digits > 0 && !after_separator) {
            after_separator = true;
            continue;
        }
        after_separator = false;
        int value = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
        if (value < 0 || digits >= 12) return std::nullopt;
        mac[digits / 2] = static_cast<std::uint8_t>((mac[digits / 2] << 4) | value);
        ++digits;
    }
    if (digits != 12) return std::nullopt;
    return mac;
}

} // namespace meteremu
