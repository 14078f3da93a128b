// SPDX-License-Identifier: MIT
// The test-only backends of meteremu-test (METEREMU_TEST_BACKENDS, tests/CMakeLists.txt):
// src/backends/registry.cpp includes this header and lists each plugin.
#pragma once

#include "support/feed_backend.hpp"
#include "support/stall_backend.hpp"
