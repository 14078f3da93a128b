// SPDX-License-Identifier: MIT
// Wall-clock times as people read them in logs and status lines.
#pragma once

#include <chrono>
#include <string>

namespace meteremu {

/// strftime(`format`) of `time`, in local time or UTC.
std::string FormatTime(std::chrono::system_clock::time_point time, const char* format, bool local);

} // namespace meteremu
