// SPDX-License-Identifier: MIT
#include "util/base64.hpp"

#include <cstdint>

namespace meteremu {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int Value(char c) noexcept {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

} // namespace

std::string Base64Encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    for (size_t at = 0; at < bytes.size(); at += 3) {
        std::uint32_t group = std::uint32_t(std::uint8_t(bytes[at])) << 16;
        if (at + 1 < bytes.size()) group |= std::uint32_t(std::uint8_t(bytes[at + 1])) << 8;
        if (at + 2 < bytes.size()) group |= std::uint8_t(bytes[at + 2]);
        out += kAlphabet[group >> 18];
        out += kAlphabet[(group >> 12) & 63];
        out += at + 1 < bytes.size() ? kAlphabet[(group >> 6) & 63] : '=';
        out += at + 2 < bytes.size() ? kAlphabet[group & 63] : '=';
    }
    return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
    if (text.size() % 4) return std::nullopt;
    std::string out;
    for (size_t at = 0; at < text.size(); at += 4) {
        bool last = at + 4 == text.size();
        int padding = last ? (text[at + 3] == '=') + (text[at + 2] == '=') : 0;
        if (padding == 1 && text[at + 2] == '=') return std::nullopt; // "x=y=" is not padding
        std::uint32_t group = 0;
        for (int i = 0; i < 4; ++i) {
            int value = i >= 4 - padding ? 0 : Value(text[at + i]);
            if (value < 0) return std::nullopt;
            group = group << 6 | static_cast<std::uint32_t>(value);
        }
        out += static_cast<char>(group >> 16);
        if (padding < 2) out += static_cast<char>((group >> 8) & 0xff);
        if (padding < 1) out += static_cast<char>(group & 0xff);
    }
    return out;
}

std::string Base64UrlEncode(std::string_view bytes) {
    std::string out = Base64Encode(bytes);
    while (!out.empty() && out.back() == '=')
        out.pop_back();
    for (auto& c : out)
        c = c == '+' ? '-' : c == '/' ? '_' : c;
    return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
    while (!text.empty() && text.back() == '=')
        text.remove_suffix(1);
    if (text.size() % 4 == 1) return std::nullopt;
    std::string standard(text);
    for (auto& c : standard) {
        if (c == '+' || c == '/' || c == '=') return std::nullopt;
        c = c == '-' ? '+' : c == '_' ? '/' : c;
    }
    standard.append((4 - standard.size() % 4) % 4, '=');
    return Base64Decode(standard);
}

} // namespace meteremu
