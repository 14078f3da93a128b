// SPDX-License-Identifier: MIT
// A data source: it measures (or fetches) the grid connection and publishes immutable
// Readings into MeterState from a thread of its own. Backends never talk to frontends.
// A backend is a plugin: a descriptor with a name, a config parser and a factory,
// listed once in backends/registry.cpp.
#pragma once

#include "core/heartbeat.hpp"
#include "core/meter_state.hpp"
#include "core/source_facts.hpp"

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace meteremu {

class ConfigSection;

/// A plugin's parsed and validated keys. Each backend derives its own.
struct BackendOptions {
    virtual ~BackendOptions() = default;
};

/// What every backend gets from the daemon.
struct BackendContext {
    MeterState& state;
    Seconds poll_interval{1.0};
    /// The backend's duty to the systemd watchdog: its thread ticks this at least every
    /// kHeartbeatPeriod (core/heartbeat.hpp) while it sleeps between polls, backs off or
    /// waits for data pushed by its source (a push-based backend ticks on that period, not
    /// only when data arrives), and whether or not the source answers. One blocking request
    /// may hold a tick back, but only for its own bounded timeout, far below half the
    /// watchdog timeout (WatchdogSec=30s in the shipped unit). A heartbeat that does not move
    /// between two watchdog checks means "hung": the daemon stops pinging systemd, which
    /// restarts it. PollLoop fulfils this duty for backends that poll.
    Heartbeat& heartbeat;
    /// Where a backend may keep data across restarts (systemd's StateDirectory).
    std::filesystem::path state_directory;
};

class Backend {
public:
    virtual ~Backend() = default;

    /// Starts polling in the backend's own thread. Throws std::runtime_error on failure.
    virtual void Start() = 0;

    /// Stops polling and joins the thread; returns promptly even mid-request. Idempotent.
    virtual void Stop() noexcept = 0;

    /// What the backend is, for logs, e.g. "demo household (seed 42)".
    virtual std::string Describe() const = 0;

    /// Whether the source sends its readings when it has them (a broker, a multicast, a serial
    /// port) instead of being asked every poll_interval.
    virtual bool Pushes() const noexcept { return false; }

    /// How polling goes right now, short enough for the systemd STATUS line, e.g.
    /// "envoy ok" or "envoy unreachable since 23:01, retrying in 4 s". Thread-safe.
    virtual std::string Health() const = 0;

    /// What the status page shows of the source (SourceFacts, core/source_facts.hpp): its
    /// address, firmware, latest problem, token holder and expiry, requests. Thread-safe: the
    /// daemon reads it once a second while the backend's thread runs, so a backend guards it
    /// with a mutex of its poller's own (never one a frontend's request takes). The default
    /// knows nothing beyond Describe() and Health(); the daemon names the kind.
    virtual SourceFacts Facts() const { return {}; }
};

struct BackendPlugin {
    std::string_view name;
    /// Reads and validates the plugin's own keys of [backend]; reports problems to the
    /// section and returns the options (possibly incomplete when errors were reported).
    std::unique_ptr<BackendOptions> (*parse)(ConfigSection& section);
    /// Throws PluginUnavailable when the backend cannot run on this host.
    std::unique_ptr<Backend> (*create)(const BackendOptions& options,
                                       const BackendContext& context);
};

/// Thrown by a plugin that is built in but cannot run here.
class PluginUnavailable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

const BackendPlugin* FindBackendPlugin(std::string_view name) noexcept;
std::vector<std::string_view> BackendPluginNames();

} // namespace meteremu
