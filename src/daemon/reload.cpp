// SPDX-License-Identifier: MIT
// Daemon::Reload (SIGHUP): read and validate the configuration into a new object, then apply
// it without closing a listening socket. Everything that can fail is built before anything
// running is touched, so an error leaves the daemon exactly as it was.
#include "config/config_loader.hpp"
#include "daemon/daemon.hpp"

#include <algorithm>

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

void Daemon::ApplyLogLevel(const Config& config) const noexcept {
    log::SetLevel(log_level_override_.value_or(config.log_level));
}

std::optional<std::vector<std::unique_ptr<Frontend>>> Daemon::CreateFrontends(Config& next) const {
    if (next.frontends.size() != bundles_.size()) {
        log::Warning(kDomain, "adding or removing a [frontend] takes effect at the next "
                              "restart; the running ones keep serving");
        // The running ones stay as they are, the new ones wait.
        next.frontends.resize(std::min(next.frontends.size(), bundles_.size()));
        for (std::size_t i = next.frontends.size(); i < bundles_.size(); ++i)
            next.frontends.push_back(bundles_[i]->Settings());
    }
    std::vector<std::unique_ptr<Frontend>> frontends;
    try {
        for (std::size_t i = 0; i < bundles_.size(); ++i) {
            bundles_[i]->WarnAboutRestartOnlyChanges(next.frontends[i]);
            frontends.push_back(bundles_[i]->CreateFrontend(next.frontends[i]));
        }
    } catch (const std::exception& error) {
        log::Error(kDomain, log::DescribeException(error), "; keeping the running configuration");
        return std::nullopt;
    }
    return frontends;
}

bool Daemon::Reload() {
    log::Notice(kDomain, "SIGHUP: reloading ", config_.source);
    std::optional<Config> next = ReadConfig();
    if (!next) return false;
    // Build first: a frontend or backend that cannot be created leaves everything as it was.
    auto frontends = CreateFrontends(*next);
    if (!frontends) return false;
    std::unique_ptr<Backend> backend;
    try {
        backend = CreateBackend(*next);
    } catch (const std::exception& error) {
        log::Error(kDomain, log::DescribeException(error), "; keeping the running configuration");
        return false;
    }
    Apply(std::move(*next), std::move(*frontends), std::move(backend));
    return true;
}

void Daemon::Apply(Config next, std::vector<std::unique_ptr<Frontend>> frontends,
                   std::unique_ptr<Backend> backend) {
    // The old poller stops before the states change, so no reading of the old settings is
    // published under the new layout; the latest reading stays and is re-mapped.
    backend_->Stop();
    readings_->Reconfigure(SiteLayout{}, {next.backend.stale_after, OnStale::Last});
    std::string described;
    for (std::size_t i = 0; i < bundles_.size(); ++i) {
        // What the bundle really applied: ports and limits wait for a restart.
        next.frontends[i] = bundles_[i]->Apply(next.frontends[i], next.backend.stale_after,
                                               std::move(frontends[i]));
        described += (described.empty() ? "" : " and ") + bundles_[i]->Describe();
    }
    backend_ = std::move(backend);
    config_ = std::move(next);
    status_page_.SetEnabled(config_.status.enabled);
    ApplyStatusServer(false);
    ApplyBus();
    ApplyLogLevel(config_);
    backend_->Start(); // fails only without resources for a thread: the daemon exits
    log::Notice(kDomain, "reloaded: emulating ", described, ", polling ", backend_->Describe(),
                " every ", config_.backend.poll_interval.count(), " s");
}

} // namespace meteremu
