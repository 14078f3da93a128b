// SPDX-License-Identifier: MIT
// The daemon takes SIGTERM, SIGINT and SIGHUP synchronously on the main thread: they are
// blocked before any thread exists (threads inherit the mask) and collected with sigtimedwait.
#pragma once

#include <chrono>
#include <optional>

namespace meteremu {

/// Blocks SIGTERM, SIGINT and SIGHUP and ignores SIGPIPE. Call before starting any thread.
void BlockDaemonSignals();

/// Waits at most `timeout` for one of the blocked signals; nullopt when none came.
std::optional<int> WaitForSignal(std::chrono::nanoseconds timeout);

} // namespace meteremu
