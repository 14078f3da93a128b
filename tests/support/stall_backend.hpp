// SPDX-License-Identifier: MIT
// A backend for tests only, compiled into the test build of the daemon (tests/meteremu-test,
// see tests/CMakeLists.txt) and never into the shipped one: it polls nothing, and while the
// file named by its `stall_file` key exists, its poll blocks without ticking its Heartbeat, as
// a poller hung on a request would. The watchdog tests use it to show that a hung backend
// stops the WATCHDOG=1 pings.
#pragma once

#include "backends/backend.hpp"

#include <string>

namespace meteremu::test {

struct StallOptions : BackendOptions {
    std::string stall_file;
};

extern const BackendPlugin stall_backend_plugin;

} // namespace meteremu::test
