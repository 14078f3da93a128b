// SPDX-License-Identifier: MIT
// A backend for tests only, compiled into the test build of the daemon (meteremu-test, see
// tests/CMakeLists.txt) and never into the shipped one: every poll it reads the file named by
// its `feed_file` key, one line "SEQUENCE WATTS", and publishes a reading of WATTS (on phase
// A) whenever SEQUENCE changed. The simulator's socket-level test (tests/integration/
// sim_socket_test.cpp) feeds the daemon its source meter's samples through it.
#pragma once

#include "backends/backend.hpp"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace meteremu::test {

/// Hands the backend a sample: a whole file renamed in, never a half-written one.
inline void WriteFeedSample(const std::filesystem::path& feed, std::uint64_t sequence,
                            double watts) {
    std::filesystem::path next = feed.string() + ".next";
    std::ofstream(next) << sequence << ' ' << watts << '\n';
    std::filesystem::rename(next, feed);
}

struct FeedOptions : BackendOptions {
    std::string feed_file;
};

extern const BackendPlugin feed_backend_plugin;

} // namespace meteremu::test
