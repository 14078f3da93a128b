// SPDX-License-Identifier: MIT
// The command line of the built binary: help, version, configuration checks, exit codes.
#include "support/daemon_process.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace meteremu::test {
namespace {

constexpr int kExitUsage = 64;
constexpr int kExitConfig = 78;

TEST(CliTest, HelpListsEveryOption) {
    RunResult run = RunProgram({METEREMU_BINARY, "--help"});
    EXPECT_EQ(run.status, 0);
    for (const char* option :
         {"--config", "--check-config", "--demo", "--log-level", "--version", "--help"})
        EXPECT_NE(run.out.find(option), std::string::npos) << option;
}

TEST(CliTest, Version) {
    RunResult run = RunProgram({METEREMU_BINARY, "--version"});
    EXPECT_EQ(run.status, 0);
    EXPECT_TRUE(run.out.starts_with("meteremu ")) << run.out;
}

TEST(CliTest, BadCommandLineExits64) {
    RunResult run = RunProgram({METEREMU_BINARY, "--frobnicate"});
    EXPECT_EQ(run.status, kExitUsage);
    EXPECT_NE(run.err.find("unknown option '--frobnicate'"), std::string::npos) << run.err;
}

TEST(CliTest, CheckConfigAcceptsAValidFile) {
    TempDir dir;
    auto path = dir.Write("good.toml", "[backend]\ntype = \"envoy\"\nhost = \"192.0.2.7\"\n");
    RunResult run = RunProgram({METEREMU_BINARY, "--check-config", "--config", path.string()});
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_NE(run.out.find("configuration is valid"), std::string::npos);
}

TEST(CliTest, CheckConfigShowsEveryFrontend) {
    TempDir dir;
    auto path = dir.Write("two.toml", "[[frontend]]\nmac = \"A0B1C2D3E4F5\"\n"
                                      "[[frontend]]\nhttp_port = 8080\nudp_ports = [1011]\n"
                                      "mdns = false\n[backend]\ntype = \"demo\"\n");
    RunResult run = RunProgram({METEREMU_BINARY, "--check-config", "--config", path.string()});
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out, path.string() +
                           ": configuration is valid\n"
                           "  frontend 1: shelly on every address, HTTP port 80, UDP ports 1010 "
                           "and 2220, mDNS\n"
                           "  frontend 2: shelly on every address, HTTP port 8080, UDP port 1011, "
                           "no mDNS\n"
                           "  backend: demo\n");
}

TEST(CliTest, CheckConfigRefusesASecondClaimOfAPort) {
    TempDir dir;
    auto path = dir.Write("clash.toml", "[[frontend]]\nudp_ports = []\n[[frontend]]\n"
                                        "http_port = 80\nudp_ports = []\n"
                                        "[backend]\ntype = \"demo\"\n");
    RunResult run = RunProgram({METEREMU_BINARY, "--check-config", "--config", path.string()});
    EXPECT_EQ(run.status, kExitConfig);
    EXPECT_NE(run.err.find(path.string() + ":4:13: frontend.http_port: TCP port 80 on every "
                                           "address is already claimed at line 1"),
              std::string::npos)
        << run.err;
}

TEST(CliTest, CheckConfigNamesFileLineAndColumn) {
    TempDir dir;
    auto path = dir.Write("bad.toml", "[frontend]\nphases = 3\n\n[backend]\ntype = \"demo\"\n"
                                      "  colour = \"blue\"\n");
    RunResult run = RunProgram({METEREMU_BINARY, "--check-config", "--config", path.string()});
    EXPECT_EQ(run.status, kExitConfig);
    EXPECT_NE(run.err.find(path.string() + ":6:3: unknown key 'colour' in [backend]"),
              std::string::npos)
        << run.err;
}

TEST(CliTest, DaemonRefusesABadConfigWith78) {
    TempDir dir;
    auto path = dir.Write("bad.toml", "[backend]\ntype = \"envoy\"\nhost = \"\"\n");
    RunResult run = RunProgram({METEREMU_BINARY, "--config", path.string()});
    EXPECT_EQ(run.status, kExitConfig);
    EXPECT_NE(run.err.find(":3:8: backend.host: is empty"), std::string::npos) << run.err;
}

TEST(CliTest, MissingConfigFileExits78) {
    RunResult run =
        RunProgram({METEREMU_BINARY, "--check-config", "--config", "/nonexistent.toml"});
    EXPECT_EQ(run.status, kExitConfig);
    EXPECT_NE(run.err.find("/nonexistent.toml: cannot read: No such file or directory"),
              std::string::npos)
        << run.err;
}

TEST(CliTest, LogLinesCarrySyslogPriorities) {
    TempDir dir;
    auto path = dir.Write("warn.toml", "[frontend]\nphase = \"b\"\n[backend]\ntype = \"demo\"\n");
    RunResult run = RunProgram({METEREMU_BINARY, "--check-config", "--config", path.string()});
    EXPECT_EQ(run.status, 0);
    // stderr is a pipe here, as under journald: every line starts with <N>.
    EXPECT_TRUE(run.err.starts_with("<4>" + path.string() + ":2:9: warning:")) << run.err;
}

} // namespace
} // namespace meteremu::test
