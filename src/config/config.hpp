// SPDX-License-Identifier: MIT
// The typed configuration the daemon runs on. Built in one place (config_loader.cpp) from
// /etc/meteremu.toml or from the built-in demo; nothing else sees TOML.
#pragma once

#include "config/diagnostics.hpp"
#include "core/meter_state.hpp"
#include "core/sample_gate.hpp"
#include "core/signal_shaping.hpp"
#include "net/transport_limits.hpp"
#include "platform/log.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace meteremu {

// The plugins only by name: their interfaces (backends/backend.hpp, frontends/frontend.hpp)
// bring the servers' headers, which a reader of the configuration does not need.
struct BackendPlugin;
struct BackendOptions;
struct FrontendPlugin;
struct FrontendOptions;

/// Where a frontend's transports listen when the ports are not passed in by systemd. The
/// loader fills in the plugin's defaults (FrontendPlugin::defaults) for the keys left out.
struct ListenSettings {
    std::string address;         ///< empty: every address, IPv4 and IPv6
    std::uint16_t http_port = 0; ///< 0: an ephemeral port (tests)
    std::vector<std::uint16_t> udp_ports;

    bool operator==(const ListenSettings&) const = default;
};

/// What a poll without a new sample gets on each transport when the file names no policy
/// (core/sample_gate.hpp): one constant each, for the closed-loop simulator's verdict.
inline constexpr RepeatPolicy kDefaultUdpRepeatPolicy = RepeatPolicy::Hold;
inline constexpr RepeatPolicy kDefaultHttpRepeatPolicy = RepeatPolicy::Hold;
inline constexpr RepeatPolicy kDefaultWebSocketRepeatPolicy = RepeatPolicy::Hold;
/// Seconds a held poll waits for a new sample at most (max_hold).
inline constexpr double kDefaultMaxHold = 2.0;

/// The sample gate's policy of each transport of one frontend.
struct SampleGating {
    GatePolicy udp{kDefaultUdpRepeatPolicy, Seconds(kDefaultMaxHold)};
    GatePolicy http{kDefaultHttpRepeatPolicy, Seconds(kDefaultMaxHold)};
    GatePolicy websocket{kDefaultWebSocketRepeatPolicy, Seconds(kDefaultMaxHold)};

    friend bool operator==(const SampleGating&, const SampleGating&) = default;
};

/// One emulated device: a [frontend] table or one [[frontend]] of an array of tables.
struct FrontendSettings {
    std::string type; ///< the plugin's name; absent from the file: the first registered one
    const FrontendPlugin* plugin = nullptr;
    std::shared_ptr<const FrontendOptions> options;
    SiteLayout layout;
    OnStale on_stale = OnStale::Silent;
    SampleGating gating;
    SignalShaping shaping;
    ListenSettings listen;
    TransportLimits limits;
    bool mdns = true;
    /// Which frontend of its type this is, in file order (0: the first).
    std::uint32_t ordinal = 0;
};

struct BackendSettings {
    std::string type;
    const BackendPlugin* plugin = nullptr;
    std::shared_ptr<const BackendOptions> options;
    Seconds poll_interval{1.0};
    Seconds stale_after{10.0};
};

/// [status]: the status page and its document on every frontend's HTTP port, and the state
/// on the system bus.
struct StatusSettings {
    bool enabled = true;
    bool dbus = true; ///< the state on the system bus (docs/dbus.md)
    /// `listen`: the page, /status.json and /metrics on a port of their own instead of every
    /// frontend's HTTP port; no UDP ports. Unset: on the frontends'.
    std::optional<ListenSettings> listen;
    AllowList allow; ///< who may ask on that port; empty: everyone
};

struct Config {
    std::string source; ///< file name, or "<demo>" for the built-in demo
    log::Level log_level = log::Level::Info;
    /// The emulated devices in the order of the file: one per [[frontend]], or the single
    /// [frontend] table (also when the file has none). Never empty once loaded.
    std::vector<FrontendSettings> frontends;
    BackendSettings backend;
    StatusSettings status;
    /// Problems that do not stop the daemon; the caller logs them.
    std::vector<ConfigDiagnostic> warnings;
};

} // namespace meteremu
