// SPDX-License-Identifier: MIT
#include "platform/resource_limits.hpp"

#include <algorithm>
#include <sys/resource.h>

namespace meteremu {

std::uint64_t RaiseOpenFileLimit(std::uint64_t wanted) noexcept {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
    if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= wanted) return limit.rlim_cur;
    rlimit raised = limit;
    raised.rlim_cur =
        limit.rlim_max == RLIM_INFINITY ? wanted : std::min<rlim_t>(wanted, limit.rlim_max);
    if (setrlimit(RLIMIT_NOFILE, &raised) != 0) return limit.rlim_cur;
    return raised.rlim_cur;
}

} // namespace meteremu
