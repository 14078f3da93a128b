// SPDX-License-Identifier: MIT
// The serving parts and their lifecycle: the frontends, each with its servers
// (FrontendBundle), and the backend that feeds them all.
// Start comes in two steps (servers, then polling) so READY=1 goes out between them and
// never waits for the data source; Reload applies an edited configuration without closing a
// listening socket; Stop undoes everything in reverse order. The main thread's loop —
// signals, sd_notify, watchdog — is the Supervisor's (daemon/supervisor.hpp).
#pragma once

#include "backends/backend.hpp"
#include "config/config.hpp"
#include "core/heartbeat.hpp"
#include "core/meter_state.hpp"
#include "daemon/client_log.hpp"
#include "daemon/frontend_bundle.hpp"
#include "daemon/status_line.hpp"
#include "daemon/status_server.hpp"
#include "net/client_tracker.hpp"
#include "net/http_probe.hpp"
#include "platform/log.hpp"
#include "platform/meter_bus.hpp"
#include "platform/systemd.hpp"
#include "status/metrics_text.hpp"
#include "status/reading_history.hpp"
#include "status/status_json.hpp"
#include "status/status_page.hpp"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace meteremu {

/// Where state survives restarts: $STATE_DIRECTORY (systemd's StateDirectory=), else the
/// built-in default (/var/lib/meteremu).
std::filesystem::path StateDirectory();

class Daemon {
public:
    /// `log_level_override`: --log-level, which wins over log_level of every configuration
    /// loaded, the first and the reloaded ones.
    Daemon(Config config, std::optional<log::Level> log_level_override);
    ~Daemon();

    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    /// The sockets of every frontend, in the order of Config::frontends: those systemd passed,
    /// the other configured ports bound here. Throws std::system_error when a port cannot be
    /// bound.
    std::vector<FrontendListeners> AcquireListeners(systemd::PassedSockets passed) const;

    /// Builds the meter state and every frontend and starts their servers on `listeners`
    /// (one per frontend); they answer when this returns. Throws on failure.
    void StartServing(std::vector<FrontendListeners> listeners);

    /// Starts the backend's poller thread; returns without waiting for a reading. Throws.
    void StartPolling();

    /// Reads the configuration file again. On success applies it and returns true; when it
    /// is invalid, or a frontend or the backend cannot be created, logs every error, keeps
    /// the running configuration and returns false. Throws only when the new backend's thread
    /// cannot start (the old one is stopped by then): the daemon exits and systemd restarts.
    bool Reload();

    void Stop() noexcept;

    /// What the STATUS line shows, now.
    StatusInputs Status(SteadyTime now) const;

    /// Logs the clients that polled for the first time, went quiet or came back since the
    /// last call (daemon/client_log.hpp).
    void ReportClients(SteadyTime now);

    /// Adds the second that ended to the power history and renders the status document the
    /// page serves (status/); once a second. `starting`: no second ended, nothing is added.
    void PublishStatus(SteadyTime now, bool starting = false);

    /// The threads the watchdog checks by heartbeat, by name.
    std::vector<std::pair<std::string, const Heartbeat*>> Heartbeats() const;

    /// A probe request to each frontend's HTTP server, for the watchdog, with its name.
    std::vector<std::pair<std::string, HttpProbe>> MakeHttpProbes() const;

    /// The name of the frontend at `index` of Config::frontends: its type, with the position
    /// among those of its type from the second on ("shelly", "shelly2"). Names the passed
    /// sockets (`<name>-http`, `<name>-udp`) and labels the log lines.
    static std::string FrontendName(const Config& config, std::size_t index);

private:
    std::unique_ptr<Backend> CreateBackend(const Config& config);
    std::optional<Config> ReadConfig() const;
    /// The frontends `next` describes, one per running bundle; empty when one cannot be
    /// created (logged). Warns about what waits for a restart.
    std::optional<std::vector<std::unique_ptr<Frontend>>> CreateFrontends(Config& next) const;
    void Apply(Config next, std::vector<std::unique_ptr<Frontend>> frontends,
               std::unique_ptr<Backend> backend);
    void ApplyLogLevel(const Config& config) const noexcept;
    /// Makes room for every descriptor the limits allow; warns when the system says no.
    void RaiseFileLimit() const;
    /// Hands every backend reading to every frontend's state.
    void FanOut() noexcept;
    std::vector<StatusFacts::Frontend> FrontendFacts(const Reading* latest, SteadyTime now) const;
    void ApplyBus();
    /// Serves the page on its own port when [status] listen says so, else on the
    /// frontends'. `starting`: a port that cannot be bound stops the start (throws); on a
    /// reload it is logged and the page stays where it was.
    void ApplyStatusServer(bool starting);

    Config config_;
    std::optional<log::Level> log_level_override_;
    SteadyTime started_at_;
    Heartbeat poller_heartbeat_;
    ClientTracker clients_;
    ClientLog client_log_;
    StatusPage status_page_;
    ReadingHistory history_;
    /// What the backend publishes, as it measured it; each frontend maps it to its own site
    /// layout and freshness in its own MeterState.
    std::unique_ptr<MeterState> readings_;
    std::vector<std::unique_ptr<FrontendBundle>> bundles_;
    ReadingSubscription fan_out_;
    std::unique_ptr<Backend> backend_;
    /// The state on the system bus ([status] dbus); null when off.
    std::unique_ptr<MeterBus> bus_;
    /// The page on its own port ([status] listen); null when on the frontends' ports.
    std::unique_ptr<StatusServer> status_server_;
};

} // namespace meteremu
