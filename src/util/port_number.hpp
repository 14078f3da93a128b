// SPDX-License-Identifier: MIT
// A URL's authority ("host:1883", "[fd00::5]:8080") split into host and port, and the port as
// it writes it: decimal digits only, 1 to 65535.
#pragma once

#include <charconv>
#include <cstddef>
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

struct HostAndPort {
    std::string_view host;                ///< without the brackets of an IPv6 address
    std::optional<std::string_view> port; ///< the text after the ':', when there is one
    bool bracketed = false;               ///< the host was written in brackets
};

/// "host", "host:port", "[v6]" or "[v6]:port" split; nullopt when a bracket does not close or
/// something else than ":port" follows it. Without brackets the last ':' starts the port, so
/// the caller decides whether a host with a ':' left in it is acceptable.
inline std::optional<HostAndPort> SplitHostAndPort(std::string_view text) noexcept {
    HostAndPort split;
    std::string_view rest;
    if (text.starts_with('[')) {
        std::size_t close = text.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        split.host = text.substr(1, close - 1);
        split.bracketed = true;
        rest = text.substr(close + 1);
    } else {
        std::size_t colon = text.rfind(':');
        split.host = text.substr(0, colon);
        if (colon != std::string_view::npos) rest = text.substr(colon);
    }
    if (rest.empty()) return split;
    if (rest.front() != ':') return std::nullopt;
    split.port = rest.substr(1);
    return split;
}

} // namespace meteremu
