// SPDX-License-Identifier: MIT
// The facts of the status page (docs/status.md) and their JSON: gathered by the daemon once a
// second, rendered once, served to every request as text.
#pragma once

#include "core/clock.hpp"
#include "core/reading.hpp"
#include "core/source_facts.hpp"
#include "net/client_tracker.hpp"
#include "net/connection_gate.hpp"
#include "net/udp_server.hpp"
#include "status/reading_history.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace meteremu {

struct StatusFacts {
    SteadyTime now{};
    std::string version;
    Seconds uptime{0};
    std::string config_file;
    /// The source's latest reading, as measured; null before the first.
    std::shared_ptr<const Reading> reading;
    Seconds stale_after{0};
    std::vector<ReadingHistory::Point> history;
    std::string source_describe;
    std::string source_health;
    /// What the backend tells of its source (Backend::Facts), the kind filled in by the daemon.
    SourceFacts source;

    struct Frontend {
        std::string name, type, describe;
        std::uint16_t http_port = 0;
        std::vector<std::uint16_t> udp_ports;
        std::string on_stale; ///< "silent", "zero" or "last"
        std::string serving;  ///< "fresh", "withheld", "zeroed", "last" or "waiting"
        UdpCounters udp;      ///< since the start (for /metrics)
        std::size_t websocket_clients = 0;
        /// The protocol's own facts (a CT002's batteries), a JSON object; "" for none.
        std::string details;
        std::string mdns_state;  ///< "off", "starting", "published", "unavailable", ...
        std::string mdns_detail; ///< what the latest report said, e.g. the names advertised
        ConnectionGate::Stats http_connections{}; ///< open now and since the start
    };
    std::vector<Frontend> frontends;
    std::vector<ClientInfo> clients; ///< the most recent first
    std::size_t clients_last_minute = 0;
    /// Every client request since the start, by transport, method and outcome.
    std::vector<RequestCount> requests;
    std::uint64_t client_notes_lost = 0; ///< ClientTracker::NotesLost
};

/// The document of GET /status.json, version 1.
std::string RenderStatusJson(const StatusFacts& facts);

} // namespace meteremu
