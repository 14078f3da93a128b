// SPDX-License-Identifier: MIT
// The built daemon as Home Assistant's Shelly integration sees it, checked by an independent
// client: tests/integration/ha_client.py on Debian's python3-websockets.
#include "support/daemon_process.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace meteremu::test {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

TEST(HomeAssistantTest, SetupSequenceAndLivePushes) {
    if (!std::filesystem::exists(kPython) ||
        RunProgram({kPython, "-c", "import websockets"}).status != 0)
        GTEST_SKIP() << "needs Debian's python3-websockets (scripts/install-deps installs it)";
    TempDir dir;
    RunningDaemon daemon =
        StartDaemon(dir.Write("meteremu.toml", DemoTestConfig("02:00:5E:10:20:32")).string());
    std::string script = std::string(METEREMU_TESTS_DIR) + "/integration/ha_client.py";
    // "0.2": DemoTestConfig's poll_interval, one NotifyStatus per reading.
    RunResult client = RunProgram({kPython, script, std::to_string(daemon.http_port), "0.2"},
                                  std::chrono::seconds(90));
    std::printf("%s", client.out.c_str());
    EXPECT_EQ(client.status, 0) << client.out << client.err << "\ndaemon:\n"
                                << daemon.process->Stderr();
}

} // namespace
} // namespace meteremu::test
