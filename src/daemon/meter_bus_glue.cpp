// SPDX-License-Identifier: MIT
#include "daemon/meter_bus_glue.hpp"

#include "platform/log.hpp"

namespace meteremu {
namespace {

constexpr log::Domain kDomain{"dbus"};

std::uint64_t MicrosecondsSinceEpoch(std::chrono::system_clock::time_point when) {
    auto since = std::chrono::duration_cast<std::chrono::microseconds>(when.time_since_epoch());
    return since.count() > 0 ? static_cast<std::uint64_t>(since.count()) : 0;
}

void AddReading(const StatusFacts& facts, std::chrono::system_clock::time_point wall_now,
                MeterBusFacts& bus) {
    const Reading& reading = *facts.reading;
    Seconds age = facts.now - reading.received_at;
    bus.reading_present = true;
    for (std::size_t phase = 0; phase < reading.phases.size() && phase < 3; ++phase)
        bus.grid_power[phase] = reading.phases[phase].act_power;
    bus.grid_power_total = reading.TotalActPower();
    bus.reading_time_us = MicrosecondsSinceEpoch(
        wall_now - std::chrono::duration_cast<std::chrono::system_clock::duration>(age));
    bus.reading_age_s = age.count();
    bus.stale = age > facts.stale_after;
}

} // namespace

MeterBusFacts BusFactsOf(const StatusFacts& facts, std::chrono::system_clock::time_point wall_now) {
    MeterBusFacts bus;
    bus.version = facts.version;
    bus.config_file = facts.config_file;
    if (facts.reading) AddReading(facts, wall_now, bus);
    bus.source = facts.source_describe;
    bus.source_health = facts.source_health;
    if (facts.source.token_expires) {
        auto expires = std::chrono::duration_cast<std::chrono::seconds>(
            facts.source.token_expires->time_since_epoch());
        bus.token_expiry_s = expires.count() > 0 ? static_cast<std::uint64_t>(expires.count()) : 0;
    }
    bus.clients = static_cast<std::uint32_t>(facts.clients_last_minute);
    for (const StatusFacts::Frontend& frontend : facts.frontends)
        bus.frontends.push_back({frontend.name, frontend.type, frontend.describe,
                                 frontend.http_port, frontend.serving});
    return bus;
}

void LogBusReports(const std::vector<MeterBusReport>& reports) {
    for (const MeterBusReport& report : reports) {
        switch (report.kind) {
        case MeterBusReport::Kind::Serving:
            log::Info(kDomain, "serving " + report.text + " (meteremu status reads it)");
            break;
        case MeterBusReport::Kind::NoBus:
            log::Notice(kDomain, report.text + "; meteremu status will not see this daemon");
            break;
        case MeterBusReport::Kind::Refused:
        case MeterBusReport::Kind::Lost:
            log::Warning(kDomain, report.text + "; meteremu status will not see this daemon");
            break;
        }
    }
}

} // namespace meteremu
