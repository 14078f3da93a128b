// SPDX-License-Identifier: MIT
#include "status/metrics_text.hpp"

#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <utility>

namespace meteremu {
namespace {

void Header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    out.append("# HELP ").append(name).append(" ").append(help).append("\n");
    out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void AppendValue(std::string& out, double value) {
    char text[32];
    auto* end = std::to_chars(text, text + sizeof text, value).ptr;
    out.append(text, end);
}

/// One sample; `labels` is the text between the braces, "" for none, its values escaped by
/// Label().
void Sample(std::string& out, std::string_view name, std::string_view labels, double value) {
    out.append(name);
    if (!labels.empty()) out.append("{").append(labels).append("}");
    out += ' ';
    AppendValue(out, value);
    out += '\n';
}

std::string Label(std::string_view key, std::string_view value) {
    std::string text(key);
    text += "=\"";
    for (char c : value) {
        if (c == '\\' || c == '"') text += '\\';
        text += c == '\n' ? ' ' : c;
    }
    return text + "\"";
}

/// One sample of `name` per frontend: `value(frontend)`.
template <typename Value>
void PerFrontend(std::string& out, std::string_view name, std::string_view type,
                 std::string_view help, const StatusFacts& facts, Value value) {
    Header(out, name, type, help);
    for (const auto& frontend : facts.frontends)
        Sample(out, name, Label("frontend", frontend.name), static_cast<double>(value(frontend)));
}

/// One sample of `name` per frontend and reason: `counts(frontend)` gives the pairs of reason
/// and count, as an array.
template <typename Counts>
void SamplePerReason(std::string& out, std::string_view name, const StatusFacts& facts,
                     Counts counts) {
    for (const auto& frontend : facts.frontends)
        for (auto [reason, count] : counts(frontend))
            Sample(out, name, Label("frontend", frontend.name) + "," + Label("reason", reason),
                   static_cast<double>(count));
}

using Reason = std::pair<std::string_view, std::uint64_t>;

void AppendReading(std::string& out, const StatusFacts& facts) {
    if (!facts.reading) return;
    const Reading& reading = *facts.reading;
    constexpr std::array<std::string_view, 3> kPhases{"a", "b", "c"};
    Header(out, "meteremu_grid_power_watts", "gauge",
           "Active power at the grid connection, + import, - export, as the source measured it.");
    for (std::size_t i = 0; i < 3; ++i)
        Sample(out, "meteremu_grid_power_watts", Label("phase", kPhases[i]),
               reading.phases[i].act_power);
    Sample(out, "meteremu_grid_power_watts", Label("phase", "total"), reading.TotalActPower());
    Header(out, "meteremu_grid_voltage_volts", "gauge", "Voltage per phase, line to neutral.");
    for (std::size_t i = 0; i < 3; ++i)
        Sample(out, "meteremu_grid_voltage_volts", Label("phase", kPhases[i]),
               reading.phases[i].voltage);
    // Prometheus counts energy in its base unit, the joule (1 Wh = 3600 J).
    Header(out, "meteremu_grid_import_energy_joules_total", "counter",
           "Energy taken from the grid, all phases.");
    Sample(out, "meteremu_grid_import_energy_joules_total", "", reading.TotalImportWh() * 3600);
    Header(out, "meteremu_grid_export_energy_joules_total", "counter",
           "Energy returned to the grid, all phases.");
    Sample(out, "meteremu_grid_export_energy_joules_total", "", reading.TotalExportWh() * 3600);
    Header(out, "meteremu_reading_age_seconds", "gauge", "Age of the latest reading.");
    Sample(out, "meteremu_reading_age_seconds", "",
           std::chrono::duration<double>(facts.now - reading.received_at).count());
}

void AppendFrontendServing(std::string& out, const StatusFacts& facts) {
    Header(out, "meteremu_frontend_serving", "gauge",
           "1 for what each frontend serves a poll now: fresh, withheld, zeroed, last or "
           "waiting.");
    for (const auto& frontend : facts.frontends)
        for (std::string_view state : {"fresh", "withheld", "zeroed", "last", "waiting"})
            Sample(out, "meteremu_frontend_serving",
                   Label("frontend", frontend.name) + "," + Label("state", state),
                   frontend.serving == state ? 1 : 0);
    Header(out, "meteremu_mdns_state", "gauge",
           "1 for where advertising over mDNS stands for each frontend, 0 for the others.");
    for (const auto& frontend : facts.frontends)
        for (std::string_view state : {"off", "starting", "published", "renamed", "unavailable",
                                       "no_address", "lost", "failed"})
            Sample(out, "meteremu_mdns_state",
                   Label("frontend", frontend.name) + "," + Label("state", state),
                   frontend.mdns_state == state ? 1 : 0);
    PerFrontend(out, "meteremu_websocket_clients", "gauge", "WebSocket connections open.", facts,
                [](const auto& frontend) { return frontend.websocket_clients; });
}

void AppendUdp(std::string& out, const StatusFacts& facts) {
    PerFrontend(out, "meteremu_udp_datagrams_received_total", "counter", "UDP datagrams received.",
                facts, [](const auto& frontend) { return frontend.udp.received; });
    PerFrontend(out, "meteremu_udp_replies_total", "counter", "UDP replies sent.", facts,
                [](const auto& frontend) { return frontend.udp.replied; });
    Header(out, "meteremu_udp_datagrams_unanswered_total", "counter",
           "UDP datagrams that got no reply, by reason.");
    SamplePerReason(
        out, "meteremu_udp_datagrams_unanswered_total", facts, [](const auto& frontend) {
            const UdpCounters& udp = frontend.udp;
            return std::array{Reason{"dropped", udp.dropped}, Reason{"refused", udp.refused},
                              Reason{"throttled", udp.throttled},
                              Reason{"over_budget", udp.over_budget},
                              Reason{"no_new_sample", udp.unanswered}};
        });
    PerFrontend(out, "meteremu_udp_polls_held_total", "counter",
                "UDP polls held until a new sample arrived.", facts,
                [](const auto& frontend) { return frontend.udp.held; });
}

std::string_view TransportLabel(ClientTransport transport) {
    switch (transport) {
    case ClientTransport::Http:
        return "http";
    case ClientTransport::WebSocket:
        return "websocket";
    case ClientTransport::Udp:
        return "udp";
    }
    return "http";
}

/// The clients' requests, by what they asked and got. The method names come from the frontends
/// (what they serve), at most kMethodCapacity of them: the series stay bounded.
void AppendClientRequests(std::string& out, const StatusFacts& facts) {
    Header(out, "meteremu_requests_total", "counter",
           "Requests from clients, by transport, method asked and outcome.");
    for (const RequestCount& count : facts.requests)
        Sample(out, "meteremu_requests_total",
               Label("transport", TransportLabel(count.transport)) + "," +
                   Label("method", MethodName(count.method)) + "," +
                   Label("outcome", OutcomeName(count.outcome)),
               static_cast<double>(count.count));
    Header(out, "meteremu_client_notes_lost_total", "counter",
           "Requests left out of the status page's clients table by a flood (never out of "
           "meteremu_requests_total).");
    Sample(out, "meteremu_client_notes_lost_total", "",
           static_cast<double>(facts.client_notes_lost));
}

void AppendHttpConnections(std::string& out, const StatusFacts& facts) {
    PerFrontend(out, "meteremu_http_connections", "gauge",
                "HTTP connections open (not WebSockets).", facts,
                [](const auto& frontend) { return frontend.http_connections.http; });
    PerFrontend(out, "meteremu_http_connections_opened_total", "counter",
                "HTTP connections accepted.", facts,
                [](const auto& frontend) { return frontend.http_connections.opened; });
    Header(out, "meteremu_http_connections_refused_total", "counter",
           "HTTP connections refused, by reason.");
    SamplePerReason(out, "meteremu_http_connections_refused_total", facts,
                    [](const auto& frontend) {
                        const ConnectionGate::Stats& http = frontend.http_connections;
                        return std::array{Reason{"allow", http.not_allowed},
                                          Reason{"per_address", http.address_full},
                                          Reason{"full", http.server_full}};
                    });
    Header(out, "meteremu_http_connections_cut_total", "counter",
           "HTTP connections shut down by the server before the client closed them, by reason.");
    SamplePerReason(out, "meteremu_http_connections_cut_total", facts, [](const auto& frontend) {
        const ConnectionGate::Stats& http = frontend.http_connections;
        return std::array{Reason{"displaced", http.displaced}, Reason{"timeout", http.timed_out}};
    });
}

/// The backend's requests: a counter by result and a histogram of their durations; absent for
/// a backend that does not count them.
void AppendRequests(std::string& out, const RequestStats& requests) {
    Header(out, "meteremu_backend_requests_total", "counter",
           "Requests of the backend to its source, by result.");
    for (std::size_t i = 0; i < kRequestResultNames.size(); ++i)
        Sample(out, "meteremu_backend_requests_total", Label("result", kRequestResultNames[i]),
               static_cast<double>(requests.by_result[i]));
    constexpr std::string_view kDuration = "meteremu_backend_request_duration_seconds";
    Header(out, kDuration, "histogram", "How long the backend's requests to its source took.");
    std::string bucket = std::string(kDuration) + "_bucket";
    std::uint64_t cumulative = 0; // Prometheus' buckets count everything up to their bound
    for (std::size_t i = 0; i < RequestStats::kBucketBounds.size(); ++i) {
        cumulative += requests.buckets[i];
        std::string bound;
        AppendValue(bound, RequestStats::kBucketBounds[i]);
        Sample(out, bucket, Label("le", bound), static_cast<double>(cumulative));
    }
    std::uint64_t count = cumulative + requests.buckets.back();
    Sample(out, bucket, Label("le", "+Inf"), static_cast<double>(count));
    Sample(out, std::string(kDuration) + "_sum", "", requests.duration_sum_s);
    Sample(out, std::string(kDuration) + "_count", "", static_cast<double>(count));
}

void AppendSource(std::string& out, const SourceFacts& source) {
    if (source.requests) AppendRequests(out, *source.requests);
    if (!source.token_expires) return;
    Header(out, "meteremu_token_expiry_timestamp_seconds", "gauge",
           "When the source's access token expires, in Unix time.");
    Sample(out, "meteremu_token_expiry_timestamp_seconds", "",
           static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                                   source.token_expires->time_since_epoch())
                                   .count()));
}

} // namespace

std::string RenderMetrics(const StatusFacts& facts) {
    std::string out;
    Header(out, "meteremu_build_info", "gauge", "The running version, always 1.");
    Sample(out, "meteremu_build_info", Label("version", facts.version), 1);
    Header(out, "meteremu_uptime_seconds", "gauge", "Time since the daemon started.");
    Sample(out, "meteremu_uptime_seconds", "", facts.uptime.count());
    AppendReading(out, facts);
    AppendSource(out, facts.source);
    AppendFrontendServing(out, facts);
    AppendUdp(out, facts);
    AppendHttpConnections(out, facts);
    AppendClientRequests(out, facts);
    Header(out, "meteremu_clients", "gauge",
           "Distinct client addresses that sent a request in the last minute, not counting "
           "those the allow list refused every time.");
    Sample(out, "meteremu_clients", "", static_cast<double>(facts.clients_last_minute));
    return out;
}

} // namespace meteremu
