// SPDX-License-Identifier: MIT
#include "support/daemon_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <regex>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace meteremu::test {
namespace {

void Pipe(int fds[2]) {
    if (pipe2(fds, O_CLOEXEC))
        throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
    std::vector<char*> pointers;
    for (auto& text : strings)
        pointers.push_back(text.data());
    pointers.push_back(nullptr);
    return pointers;
}

/// Runs in the forked child: only async-signal-safe calls from here on.
[[noreturn]] void ExecChild(char** argv, char** envp, int out, int err) {
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    // The test runner may block signals; the daemon must start with a clean mask.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve(argv[0], argv, envp);
    _exit(127);
}

} // namespace

ChildProcess::ChildProcess(std::vector<std::string> arguments,
                           std::vector<std::string> environment) {
    // The test's own entries come first, so they win over inherited ones of the same name.
    for (char** variable = environ; *variable; ++variable)
        environment.emplace_back(*variable);
    auto argv = Pointers(arguments);
    auto envp = Pointers(environment);
    int out[2], err[2];
    Pipe(out);
    Pipe(err);
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid_ == 0) ExecChild(argv.data(), envp.data(), out[1], err[1]);
    close(out[1]);
    close(err[1]);
    reader_ = std::thread([this, o = out[0], e = err[0]] { ReadOutput(o, e); });
}

ChildProcess::~ChildProcess() {
    if (!status_) Stop(SIGTERM);
    if (reader_.joinable()) reader_.join();
}

void ChildProcess::ReadOutput(int stdout_fd, int stderr_fd) noexcept {
    pollfd fds[2] = {{stdout_fd, POLLIN, 0}, {stderr_fd, POLLIN, 0}};
    int open_count = 2;
    char buffer[4096];
    while (open_count > 0) {
        if (poll(fds, 2, -1) < 0 && errno != EINTR) break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !fds[i].revents) continue;
            ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
            if (n <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open_count;
                continue;
            }
            std::lock_guard lock(mutex_);
            (i == 0 ? stdout_ : stderr_).append(buffer, static_cast<size_t>(n));
            changed_.notify_all();
        }
    }
    std::lock_guard lock(mutex_);
    output_closed_ = true;
    changed_.notify_all();
}

bool ChildProcess::Reap(bool block) {
    if (status_) return true;
    int status = 0;
    pid_t result = waitpid(pid_, &status, block ? 0 : WNOHANG);
    if (result != pid_) return false;
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return true;
}

std::optional<std::vector<std::string>>
ChildProcess::WaitForOutput(const std::string& pattern, std::chrono::milliseconds timeout) {
    std::regex expression(pattern);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mutex_);
    for (;;) {
        std::smatch match;
        std::string text = stderr_ + stdout_;
        if (std::regex_search(text, match, expression))
            return std::vector<std::string>(match.begin(), match.end());
        if (output_closed_ || changed_.wait_until(lock, deadline) == std::cv_status::timeout)
            return std::nullopt;
    }
}

std::optional<int> ChildProcess::WaitForExit(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!Reap(false)) {
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(5ms);
    }
    if (reader_.joinable()) reader_.join();
    return status_;
}

int ChildProcess::Stop(int signal, std::chrono::milliseconds timeout) {
    if (!status_) kill(pid_, signal);
    if (auto status = WaitForExit(timeout)) return *status;
    kill(pid_, SIGKILL);
    Reap(true);
    if (reader_.joinable()) reader_.join();
    return *status_;
}

std::string ChildProcess::Stdout() const {
    std::lock_guard lock(mutex_);
    return stdout_;
}

std::string ChildProcess::Stderr() const {
    std::lock_guard lock(mutex_);
    return stderr_;
}

RunResult RunProgram(std::vector<std::string> arguments, std::chrono::milliseconds timeout) {
    ChildProcess child(std::move(arguments));
    RunResult result;
    auto status = child.WaitForExit(timeout);
    result.status = status ? *status : child.Stop(SIGKILL);
    result.out = child.Stdout();
    result.err = child.Stderr();
    return result;
}

std::string DemoTestConfig(const std::string& mac, int phases) {
    return "[frontend]\nmac = \"" + mac + "\"\nphases = " + std::to_string(phases) +
           "\nlisten_address = \"127.0.0.1\"\nhttp_port = 0\nudp_ports = [0, 0]\nmdns = false\n"
           "\n[backend]\ntype = \"demo\"\npoll_interval = 0.2\nseed = 7\n";
}

std::string WithFrontendKeys(std::string config, const std::string& keys) {
    config.insert(config.find("\n[backend]"), "\n" + keys + "\n");
    return config;
}

std::string RunningDaemon::Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(http_port) + path;
}

std::vector<std::uint16_t> RunningDaemon::UdpPorts(size_t count,
                                                   std::chrono::milliseconds timeout) const {
    std::string pattern;
    for (size_t i = 0; i < count; ++i)
        pattern += R"(serving UDP on [^\n]*:(\d+)[\s\S]*?)";
    auto match = process->WaitForOutput(pattern, timeout);
    if (!match)
        throw std::runtime_error("meteremu did not serve " + std::to_string(count) +
                                 " UDP ports; its output:\n" + process->Stderr());
    std::vector<std::uint16_t> ports;
    for (size_t i = 1; i <= count; ++i)
        ports.push_back(static_cast<std::uint16_t>(std::stoi((*match)[i])));
    return ports;
}

RunningDaemon StartDaemon(const std::string& config_path, std::vector<std::string> extra,
                          std::chrono::milliseconds timeout, std::vector<std::string> environment) {
    std::vector<std::string> arguments{METEREMU_BINARY, "--config", config_path};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    RunningDaemon daemon;
    daemon.process = std::make_unique<ChildProcess>(std::move(arguments), std::move(environment));
    auto match = daemon.process->WaitForOutput(R"(serving HTTP on [^\n]*:(\d+))", timeout);
    if (!match)
        throw std::runtime_error("meteremu did not start serving; its output:\n" +
                                 daemon.process->Stderr());
    daemon.http_port = static_cast<std::uint16_t>(std::stoi((*match)[1]));
    return daemon;
}

} // namespace meteremu::test
