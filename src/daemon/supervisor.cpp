// SPDX-License-Identifier: MIT
#include "daemon/supervisor.hpp"

#include "daemon/signals.hpp"
#include "platform/memory.hpp"

#include <cmath>
#include <csignal>
#include <cstdlib>

namespace meteremu {
namespace {

constexpr log::Domain kDomain{"daemon"};

/// How often the STATUS line is recomputed (and sent when it changed).
constexpr std::chrono::seconds kStatusPeriod{1};

using Clock = std::chrono::steady_clock;

std::string Join(const std::vector<std::string>& parts) {
    std::string text;
    for (const auto& part : parts)
        text += (text.empty() ? "" : ", ") + part;
    return text;
}

} // namespace

void Supervisor::Start(systemd::PassedSockets passed) {
    auto started = Clock::now();
    daemon_.StartServing(daemon_.AcquireListeners(std::move(passed)));
    status_ = CurrentStatus();
    notifier_.Ready(status_);
    auto ready_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    log::Info(kDomain, "ready in ", std::lround(ready_ms), " ms");
    daemon_.StartPolling();
    StartWatchdog();
}

void Supervisor::StartWatchdog() {
    auto timeout = systemd::WatchdogTimeout();
    if (!timeout) return;
    watchdog_.emplace(*timeout);
    for (const auto& [name, heartbeat] : daemon_.Heartbeats())
        watchdog_->Watch(name, *heartbeat);
    for (auto& [name, probe] : daemon_.MakeHttpProbes())
        watchdog_->WatchHttp(std::move(probe), name);
    log::Info(kDomain, "watchdog: pinging every ",
              std::chrono::duration<double>(watchdog_->Interval()).count(),
              " s while the poller and the servers are alive");
}

int Supervisor::Run(systemd::PassedSockets passed) {
    Start(std::move(passed));
    daemon_.PublishStatus(Clock::now()); // the page has its document from the start
    auto next_status = Clock::now() + kStatusPeriod;
    auto next_watchdog = Clock::time_point::max();
    if (watchdog_) next_watchdog = Clock::now() + watchdog_->Interval();
    for (;;) {
        auto next = std::min(next_status, next_watchdog);
        if (auto signal = WaitForSignal(std::max(next - Clock::now(), Clock::duration::zero())))
            if (OnSignal(*signal)) break;
        auto now = Clock::now();
        if (now >= next_status) {
            RefreshStatus();
            daemon_.ReportClients(now);
            daemon_.PublishStatus(now);
            memory_.Tick(); // a burst's memory goes back within a second of its end
            next_status = std::max(next_status + kStatusPeriod, now);
        }
        if (now >= next_watchdog) {
            CheckWatchdog();
            next_watchdog = std::max(next_watchdog + watchdog_->Interval(), now);
        }
    }
    daemon_.Stop();
    log::Notice(kDomain, "stopped");
    return EXIT_SUCCESS;
}

bool Supervisor::OnSignal(int signal) {
    if (signal == SIGHUP) {
        Reload();
        return false;
    }
    notifier_.Stopping();
    log::Notice(kDomain, signal == SIGINT ? "SIGINT" : "SIGTERM", ": stopping");
    return true;
}

void Supervisor::Reload() {
    notifier_.Reloading();
    reload_failed_ = !daemon_.Reload();
    status_ = CurrentStatus();
    notifier_.Ready(status_);
}

std::string Supervisor::CurrentStatus() const {
    auto now = Clock::now();
    // Stays in `systemctl status` until a reload succeeds: the running configuration is not
    // the one in the file.
    return (reload_failed_ ? "last reload failed, see the journal · " : "") +
           FormatStatus(daemon_.Status(now), now);
}

void Supervisor::RefreshStatus() {
    std::string status = CurrentStatus();
    if (status == status_) return;
    status_ = std::move(status);
    notifier_.Status(status_);
}

void Supervisor::CheckWatchdog() {
    std::vector<std::string> stalled;
    if (watchdog_->Check(stalled)) {
        if (watchdog_failing_) log::Notice(kDomain, "watchdog: every part is alive again");
        watchdog_failing_ = false;
        notifier_.WatchdogPing();
        return;
    }
    // Every missed ping is worth a line: systemd kills the daemon after two in a row, and
    // the journal should say why.
    log::Warning(kDomain, "watchdog: not pinging systemd, no sign of life from ", Join(stalled));
    watchdog_failing_ = true;
}

} // namespace meteremu
