// SPDX-License-Identifier: MIT
#include "util/json_pointer.hpp"

#include <limits>

namespace meteremu {
namespace {

std::string Unescape(std::string_view token) {
    std::string out;
    out.reserve(token.size());
    for (size_t i = 0; i < token.size(); ++i) {
        if (token[i] != '~') {
            out += token[i];
            continue;
        }
        if (i + 1 == token.size() || (token[i + 1] != '0' && token[i + 1] != '1'))
            throw std::invalid_argument("'~' must be followed by 0 or 1 (\"~0\" is '~', \"~1\" is "
                                        "'/')");
        out += token[++i] == '0' ? '~' : '/';
    }
    return out;
}

/// RFC 6901 array index: "0" or digits without a leading zero; anything else is no index.
bool ArrayIndex(const std::string& token, size_t& index) noexcept {
    if (token.empty() || (token.size() > 1 && token[0] == '0')) return false;
    size_t value = 0;
    for (char c : token) {
        if (c < '0' || c > '9') return false;
        auto digit = static_cast<size_t>(c - '0');
        if (value > (std::numeric_limits<size_t>::max() - digit) / 10) return false;
        value = value * 10 + digit;
    }
    index = value;
    return true;
}

} // namespace

JsonPointer JsonPointer::Parse(std::string_view text) {
    JsonPointer pointer;
    pointer.text_ = text;
    if (text.empty()) return pointer;
    if (text[0] != '/')
        throw std::invalid_argument("a JSON pointer starts with '/', e.g. \"/emeters/0/power\"");
    size_t start = 1;
    while (true) {
        size_t end = text.find('/', start);
        std::string_view token = text.substr(
            start, end == std::string_view::npos ? std::string_view::npos : end - start);
        pointer.tokens_.push_back(Unescape(token));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return pointer;
}

JsonPointer JsonPointer::Child(const JsonPointer& parent, std::string_view key) {
    JsonPointer child = parent;
    child.text_ += '/' + EscapeToken(key);
    child.tokens_.emplace_back(key);
    return child;
}

const json_t* JsonPointer::Resolve(const json_t* root) const noexcept {
    const json_t* value = root;
    for (const std::string& token : tokens_) {
        if (json_is_object(value)) {
            value = json_object_getn(value, token.data(), token.size());
        } else if (json_is_array(value)) {
            size_t index = 0;
            value = ArrayIndex(token, index) ? json_array_get(value, index) : nullptr;
        } else {
            return nullptr;
        }
        if (!value) return nullptr;
    }
    return value;
}

std::string EscapeToken(std::string_view key) {
    std::string out;
    for (char c : key) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out += c;
    }
    return out;
}

} // namespace meteremu
