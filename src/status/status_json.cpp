// SPDX-License-Identifier: MIT
#include "status/status_json.hpp"

#include "util/json_writer.hpp"

#include <chrono>
#include <cmath>

namespace meteremu {
namespace {

void Key(std::string& out, std::string_view key) {
    if (out.back() != '{') out += ',';
    json::AppendString(out, key);
    out += ':';
}

void AppendSeconds(std::string& out, Seconds seconds) {
    json::AppendFixed(out, seconds.count(), 1);
}

void AppendReading(std::string& out, const StatusFacts& facts) {
    out += '{';
    Key(out, "present");
    json::AppendBool(out, facts.reading != nullptr);
    Key(out, "stale_after_s");
    AppendSeconds(out, facts.stale_after);
    if (!facts.reading) {
        out += '}';
        return;
    }
    const Reading& reading = *facts.reading;
    Seconds age = facts.now - reading.received_at;
    Key(out, "age_s");
    AppendSeconds(out, age);
    Key(out, "stale");
    json::AppendBool(out, age > facts.stale_after);
    Key(out, "phases");
    out += '[';
    for (const PhaseReading& phase : reading.phases) {
        out += out.back() == '[' ? "{" : ",{";
        Key(out, "act_power");
        json::AppendFixed(out, phase.act_power, 1);
        Key(out, "voltage");
        json::AppendFixed(out, phase.voltage, 1);
        Key(out, "current");
        json::AppendFixed(out, phase.current, 2);
        out += '}';
    }
    out += ']';
    Key(out, "total_act_power");
    json::AppendFixed(out, reading.TotalActPower(), 1);
    Key(out, "import_wh");
    json::AppendFixed(out, reading.TotalImportWh(), 1);
    Key(out, "export_wh");
    json::AppendFixed(out, reading.TotalExportWh(), 1);
    out += '}';
}

void AppendSeries(std::string& out, const std::vector<ReadingHistory::Point>& points,
                  float ReadingHistory::Point::*member) {
    out += '[';
    for (const ReadingHistory::Point& point : points) {
        if (out.back() != '[') out += ',';
        json::AppendFixed(out, point.*member, 1); // NaN: null
    }
    out += ']';
}

void AppendHistory(std::string& out, const std::vector<ReadingHistory::Point>& points) {
    out += "{\"step_s\":1";
    for (auto [name, member] : {std::pair{"total", &ReadingHistory::Point::total},
                                {"a", &ReadingHistory::Point::a},
                                {"b", &ReadingHistory::Point::b},
                                {"c", &ReadingHistory::Point::c}}) {
        Key(out, name);
        AppendSeries(out, points, member);
    }
    out += '}';
}

/// Unix time in whole seconds; null when unknown.
void AppendTime(std::string& out, const std::optional<WallTime>& time) {
    if (!time) {
        out += "null";
        return;
    }
    json::AppendInteger(
        out, std::chrono::duration_cast<std::chrono::seconds>(time->time_since_epoch()).count());
}

void AppendRequests(std::string& out, const std::optional<RequestStats>& requests) {
    if (!requests) {
        out += "null";
        return;
    }
    out += '{';
    for (std::size_t i = 0; i < kRequestResultNames.size(); ++i) {
        Key(out, kRequestResultNames[i]);
        json::AppendInteger(out, static_cast<std::int64_t>(requests->by_result[i]));
    }
    Key(out, "duration_sum_s");
    json::AppendFixed(out, requests->duration_sum_s, 3);
    out += '}';
}

void AppendSource(std::string& out, const StatusFacts& facts) {
    const SourceFacts& source = facts.source;
    out += '{';
    // The page is not secret: an e-mail address is masked again here, whoever forgot to.
    std::string holder = MaskEmail(source.token_holder);
    for (auto [key, value] :
         {std::pair<std::string_view, const std::string&>{"describe", facts.source_describe},
          {"health", facts.source_health},
          {"kind", source.kind},
          {"address", source.address},
          {"firmware", source.firmware},
          {"ct_setup", source.ct_setup},
          {"last_error", source.last_error},
          {"token_holder", holder}}) {
        Key(out, key);
        json::AppendString(out, value);
    }
    for (auto [key, time] : {std::pair<std::string_view, const std::optional<WallTime>&>{
                                 "last_error_at", source.last_error_at},
                             {"last_error_cleared_at", source.last_error_cleared},
                             {"token_expires_at", source.token_expires}}) {
        Key(out, key);
        AppendTime(out, time);
    }
    Key(out, "requests");
    AppendRequests(out, source.requests);
    out += '}';
}

template <typename Items, typename Append>
void AppendArray(std::string& out, const Items& items, Append append) {
    out += '[';
    for (const auto& item : items) {
        if (out.back() != '[') out += ',';
        append(item);
    }
    out += ']';
}

void AppendFrontend(std::string& out, const StatusFacts::Frontend& frontend) {
    out += '{';
    for (auto [key, value] :
         {std::pair<std::string_view, const std::string&>{"name", frontend.name},
          {"type", frontend.type},
          {"describe", frontend.describe},
          {"on_stale", frontend.on_stale},
          {"serving", frontend.serving}}) {
        Key(out, key);
        json::AppendString(out, value);
    }
    Key(out, "http_port");
    json::AppendInteger(out, frontend.http_port);
    Key(out, "udp_ports");
    AppendArray(out, frontend.udp_ports,
                [&](std::uint16_t port) { json::AppendInteger(out, port); });
    Key(out, "http_connections");
    const ConnectionGate::Stats& http = frontend.http_connections;
    out += "{\"open\":";
    json::AppendInteger(out, http.http);
    out += ",\"opened\":";
    json::AppendInteger(out, http.opened);
    out += ",\"refused\":";
    json::AppendInteger(out, http.not_allowed + http.address_full + http.server_full);
    out += '}';
    Key(out, "mdns");
    out += "{\"state\":";
    json::AppendString(out, frontend.mdns_state);
    out += ",\"detail\":";
    json::AppendString(out, frontend.mdns_detail);
    out += '}';
    if (!frontend.details.empty()) {
        Key(out, "details");
        out += frontend.details;
    }
    out += '}';
}

void AppendClient(std::string& out, const ClientInfo& client, SteadyTime now) {
    out += '{';
    Key(out, "address");
    json::AppendString(out, client.address.ToString());
    Key(out, "transport");
    json::AppendString(out, TransportName(client.via.transport));
    Key(out, "port");
    json::AppendInteger(out, client.via.port);
    Key(out, "polls");
    json::AppendInteger(out, client.polls);
    Key(out, "interval_s");
    json::AppendFixedOrNull(
        out, client.polls > 1 ? std::optional(client.interval.count()) : std::nullopt, 2);
    Key(out, "first_seen_s_ago");
    AppendSeconds(out, now - client.first_seen);
    Key(out, "last_seen_s_ago");
    AppendSeconds(out, now - client.last_seen);
    Key(out, "methods");
    out += '[';
    for (std::size_t id = 0; id < kMethodCapacity; ++id) {
        if (!(client.methods >> id & 1)) continue;
        if (out.back() != '[') out += ',';
        json::AppendString(out, MethodName(static_cast<MethodId>(id)));
    }
    out += ']';
    Key(out, "got");
    out += '{';
    for (std::size_t i = 0; i < kRequestOutcomes; ++i) {
        if (i > 0) out += ',';
        json::AppendString(out, OutcomeName(static_cast<RequestOutcome>(i)));
        out += ':';
        json::AppendInteger(out, client.outcomes[i]);
    }
    out += '}';
    out += '}';
}

} // namespace

std::string RenderStatusJson(const StatusFacts& facts) {
    std::string out = "{\"version\":1";
    Key(out, "meteremu");
    json::AppendString(out, facts.version);
    Key(out, "uptime_s");
    json::AppendInteger(out, static_cast<std::int64_t>(facts.uptime.count()));
    Key(out, "config_file");
    json::AppendString(out, facts.config_file);
    Key(out, "reading");
    AppendReading(out, facts);
    Key(out, "history");
    AppendHistory(out, facts.history);
    Key(out, "source");
    AppendSource(out, facts);
    Key(out, "frontends");
    AppendArray(out, facts.frontends, [&](const auto& frontend) { AppendFrontend(out, frontend); });
    Key(out, "clients");
    AppendArray(out, facts.clients,
                [&](const ClientInfo& client) { AppendClient(out, client, facts.now); });
    out += '}';
    return out;
}

} // namespace meteremu
