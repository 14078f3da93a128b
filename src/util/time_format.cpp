// SPDX-License-Identifier: MIT
#include "util/time_format.hpp"

#include <ctime>

namespace meteremu {

std::string FormatTime(std::chrono::system_clock::time_point time, const char* format, bool local) {
    std::time_t seconds = std::chrono::system_clock::to_time_t(time);
    std::tm parts{};
    if (local)
        localtime_r(&seconds, &parts);
    else
        gmtime_r(&seconds, &parts);
    char text[64];
    size_t length = std::strftime(text, sizeof text, format, &parts);
    return std::string(text, length);
}

} // namespace meteremu
