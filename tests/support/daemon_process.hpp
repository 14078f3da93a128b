// SPDX-License-Identifier: MIT
// Runs the built meteremu binary (or any program) as a child process for integration tests,
// collecting its stdout and stderr. The child is stopped by its process id when the object
// goes away; nothing else is ever signalled.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <sys/types.h>
#include <thread>
#include <vector>

namespace meteremu::test {

using namespace std::chrono_literals;

class ChildProcess {
public:
    /// Starts arguments[0] with the rest as arguments; `environment` ("NAME=value") is added to
    /// the test's own. Throws std::runtime_error when the program cannot be started.
    explicit ChildProcess(std::vector<std::string> arguments,
                          std::vector<std::string> environment = {});
    ~ChildProcess();

    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t Pid() const noexcept { return pid_; }

    /// Waits until stderr (or stdout) matches `pattern` (ECMAScript regex) and returns the
    /// capture groups (index 0: the whole match); nullopt after `timeout` or when the child
    /// exits first.
    std::optional<std::vector<std::string>> WaitForOutput(const std::string& pattern,
                                                          std::chrono::milliseconds timeout = 10s);

    /// Waits for the child to exit by itself; its exit status (128 + signal when killed).
    std::optional<int> WaitForExit(std::chrono::milliseconds timeout = 10s);

    /// Sends `signal` and waits for the exit; SIGKILL if it has not exited by `timeout`.
    int Stop(int signal, std::chrono::milliseconds timeout = 5s);

    std::string Stdout() const;
    std::string Stderr() const;

private:
    void ReadOutput(int stdout_fd, int stderr_fd) noexcept;
    bool Reap(bool block);

    pid_t pid_ = -1;
    std::optional<int> status_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::string stdout_;
    std::string stderr_;
    bool output_closed_ = false;
    std::thread reader_;
};

struct RunResult {
    int status = -1;
    std::string out;
    std::string err;
};

/// Runs a program to completion (bounded by `timeout`).
RunResult RunProgram(std::vector<std::string> arguments, std::chrono::milliseconds timeout = 30s);

/// The daemon under test, started on a configuration; knows the HTTP port it serves on.
struct RunningDaemon {
    std::unique_ptr<ChildProcess> process;
    std::uint16_t http_port = 0;

    std::string Url(const std::string& path) const;

    /// The UDP ports of the first `count` "serving UDP on" lines, waiting for them.
    std::vector<std::uint16_t> UdpPorts(size_t count,
                                        std::chrono::milliseconds timeout = 10s) const;
};

/// A configuration for the daemon under test: the demo household (seed 7, a reading every
/// 0.2 s), HTTP and UDP on ephemeral loopback ports, no mDNS.
std::string DemoTestConfig(const std::string& mac = "02:00:5E:10:20:30", int phases = 3);

/// `config` with `keys` added at the end of its [frontend] table (the one before [backend]).
std::string WithFrontendKeys(std::string config, const std::string& keys);

/// [frontend] keys that answer every poll at once, a reading already served included (the
/// sample gate's "repeat"; the default holds such a poll until the next reading): for tests
/// that ask faster than the source refreshes and are about something else than gating.
inline constexpr const char* kAnswerEveryPoll = "udp_repeat_policy = \"repeat\"\n"
                                                "http_repeat_policy = \"repeat\"\n"
                                                "websocket_repeat_policy = \"repeat\"\n";

/// Starts the built meteremu with `--config config_path` and waits until it serves HTTP.
/// Fails the calling test (via exception) when it does not start within `timeout`.
/// `environment` ("NAME=value") is added to the test's own, e.g. STATE_DIRECTORY.
RunningDaemon StartDaemon(const std::string& config_path, std::vector<std::string> extra = {},
                          std::chrono::milliseconds timeout = 10s,
                          std::vector<std::string> environment = {});

} // namespace meteremu::test
