// SPDX-License-Identifier: MIT
// Daemon::Reload (SIGHUP): read and validate the configuration into a new object, then apply
// it without closing a listening socket. Everything that can fail is built before anything
// running is touched, so an error leaves the daemon exactly as it was.
#include "config/config_loader.hpp"
#include "daemon/daemon.hpp"

namespace meteremu {
namespace {

constexpr log::Domain kDomain{"reload"};
constexpr std::string_view kDemoSource = "<demo>";

void LogDiagnostics(const std::vector<ConfigDiagnostic>& diagnostics) {
    for (const auto& diagnostic : diagnostics)
        log::Write(diagnostic.is_error ? log::Level::Error : log::Level::Warning, kDomain,
                   diagnostic.Format());
}

} // namespace

std::optional<Config> Daemon::ReadConfig() const {
    try {
        Config next = config_.source == kDemoSource ? DemoConfig() : LoadConfigFile(config_.source);
        LogDiagnostics(next.warnings);
        return next;
    } catch (const ConfigInvalid& error) {
        LogDiagnostics(error.Diagnostics());
        log::Error(kDomain, config_.source, " is invalid; keeping the running configuration");
        return std::nullopt;
    }
}

void Daemon::WarnAboutListenChanges(const Config& next) const {
    const auto& now = config_.frontends.front().listen;
    const auto& then = next.frontends.front().listen;
    if (now.address != then.address || now.http_port != then.http_port ||
        now.udp_ports != then.udp_ports)
        log::Warning(kDomain, "listen_address, http_port and udp_ports take effect at the next "
                              "restart; the listening sockets stay open across a reload");
    TransportLimits limits = next.frontends.front().limits;
    limits.allow = config_.frontends.front().limits.allow; // the one limit a reload applies
    if (limits != config_.frontends.front().limits)
        log::Warning(kDomain, "the connection, size, timeout and UDP rate limits take effect at "
                              "the next restart; the servers keep running with the old ones");
}

void Daemon::ApplyLogLevel(const Config& config) const noexcept {
    log::SetLevel(log_level_override_.value_or(config.log_level));
}

bool Daemon::Reload() {
    log::Notice(kDomain, "SIGHUP: reloading ", config_.source);
    std::optional<Config> next = ReadConfig();
    if (!next) return false;
    WarnAboutListenChanges(*next);
    // Build first: a frontend or backend that cannot be created leaves everything as it was.
    std::unique_ptr<Frontend> frontend;
    std::unique_ptr<Backend> backend;
    try {
        frontend = CreateFrontend(*next);
        backend = CreateBackend(*next);
    } catch (const std::exception& error) {
        log::Error(kDomain, log::DescribeException(error), "; keeping the running configuration");
        return false;
    }
    Apply(std::move(*next), std::move(frontend), std::move(backend));
    return true;
}

void Daemon::Apply(Config next, std::unique_ptr<Frontend> frontend,
                   std::unique_ptr<Backend> backend) {
    // The old poller stops before the state changes, so no reading of the old settings is
    // published under the new layout; the latest reading stays and is re-mapped.
    backend_->Stop();
    state_->Reconfigure(next.frontends.front().layout, next.Freshness());
    client_filter_.Replace(next.frontends.front().limits.allow);
    if (next.frontends.front().limits.allow != config_.frontends.front().limits.allow) {
        // An established WebSocket would otherwise outlive its address's removal for days.
        log::Info(kDomain, "closing the WebSocket clients the new allow list refuses (1008)");
        websocket_->EnforceFilter();
    }
    // The servers keep the limits they started with; the configuration says so.
    AllowList allow = std::move(next.frontends.front().limits.allow);
    next.frontends.front().limits = config_.frontends.front().limits;
    next.frontends.front().limits.allow = std::move(allow);
    frontend_->Replace(std::move(frontend));
    backend_ = std::move(backend);
    config_ = std::move(next);
    ApplyLogLevel(config_);
    backend_->Start(); // fails only without resources for a thread: the daemon exits
    PublishMdns();
    log::Notice(kDomain, "reloaded: emulating ", frontend_->Describe(), ", polling ",
                backend_->Describe(), " every ", config_.backend.poll_interval.count(), " s");
}

} // namespace meteremu
