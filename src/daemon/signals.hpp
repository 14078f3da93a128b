// SPDX-License-Identifier: MIT
// The daemon takes SIGTERM, SIGINT and SIGHUP synchronously on the main thread: they are
// blocked before any thread exists (threads inherit the mask) and collected with sigwait.
#pragma once

namespace meteremu {

/// Blocks SIGTERM, SIGINT and SIGHUP and ignores SIGPIPE. Call before starting any thread.
void BlockDaemonSignals();

/// Waits for one of the blocked signals and returns its number.
int WaitForSignal();

} // namespace meteremu
