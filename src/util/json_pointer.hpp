// SPDX-License-Identifier: MIT
// RFC 6901 JSON Pointers ("/emeters/0/power") over jansson values: parsed once from the
// configuration, resolved on every payload. A source's payload is a LAN peer's and may be
// anything: resolving never throws, it finds a value or nothing.
#pragma once

#include <jansson.h>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace meteremu {

class JsonPointer {
public:
    /// The whole document ("").
    JsonPointer() = default;

    /// Parses RFC 6901 text: "" or tokens each after a '/', with "~0" for '~' and "~1" for
    /// '/'. Throws std::invalid_argument saying what is wrong.
    static JsonPointer Parse(std::string_view text);

    /// A pointer to `key` inside `parent` (each token escaped as RFC 6901 asks).
    static JsonPointer Child(const JsonPointer& parent, std::string_view key);

    /// The value it points at, or nullptr. An array index is decimal digits without a leading
    /// zero ("-", past the end, is no value).
    const json_t* Resolve(const json_t* root) const noexcept;

    /// The text form, for messages.
    const std::string& Text() const noexcept { return text_; }
    bool Empty() const noexcept { return tokens_.empty(); }

private:
    std::string text_;
    std::vector<std::string> tokens_;
};

/// The pointer as JSON text would show it, with "~" and "/" escaped.
std::string EscapeToken(std::string_view key);

} // namespace meteremu
