// SPDX-License-Identifier: MIT
// A port as a URL's authority writes it ("host:1883"): decimal digits only, 1 to 65535.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace meteremu {

/// The port `text` names, or nullopt for anything else (empty, a sign, 0, over 65535, trailing
/// characters).
inline std::optional<std::uint16_t> ParsePortNumber(std::string_view text) noexcept {
    unsigned port = 0;
    auto [stop, error] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (error != std::errc() || stop != text.data() + text.size() || port == 0 || port > 65535)
        return std::nullopt;
    return static_cast<std::uint16_t>(port);
}

} // namespace meteremu
