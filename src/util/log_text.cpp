// SPDX-License-Identifier: MIT
#include "util/log_text.hpp"

#include <algorithm>

namespace meteremu {

std::string LogText(std::string_view text, std::size_t limit) {
    std::string clean;
    clean.reserve(std::min(text.size(), limit));
    for (char c : text) {
        auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f) continue;
        if (clean.size() == limit) {
            // Never end in the middle of a UTF-8 sequence: drop its continuation bytes.
            while (!clean.empty() && (static_cast<unsigned char>(clean.back()) & 0xc0) == 0x80)
                clean.pop_back();
            if (!clean.empty() && static_cast<unsigned char>(clean.back()) >= 0xc0)
                clean.pop_back();
            return clean + "...";
        }
        clean.push_back(c);
    }
    return clean;
}

} // namespace meteremu
