// SPDX-License-Identifier: MIT
// The process's limit of open files. Every connection is a descriptor, and systemd starts
// services with a soft limit of 1024 (the hard limit is far higher): a daemon configured for
// more clients than that raises its own soft limit, as systemd.exec(5) recommends.
#pragma once

#include <cstdint>

namespace meteremu {

/// Raises the soft RLIMIT_NOFILE to `wanted`, or as near as the hard limit allows; never
/// lowers it. Returns the soft limit in force afterwards.
std::uint64_t RaiseOpenFileLimit(std::uint64_t wanted) noexcept;

} // namespace meteremu
