// SPDX-License-Identifier: MIT
// Text that came from another device (an Envoy's serial, firmware, a JWT claim), made safe to
// put in a log line: a hostile or broken device must not forge journal lines with control
// characters or flood them with megabytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace meteremu {

inline constexpr std::size_t kLogTextLimit = 64;

/// `text` without control characters (C0, DEL), cut to `limit` bytes at a UTF-8 character
/// boundary with "..." appended when it was longer.
std::string LogText(std::string_view text, std::size_t limit = kLogTextLimit);

} // namespace meteremu
