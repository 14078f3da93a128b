// SPDX-License-Identifier: MIT
#include "platform/meter_bus_client.hpp"

#include "util/sd_bus.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <tuple>
#include <type_traits>

namespace meteremu {
namespace {

using Facts = MeterBusFacts;

int Read(sd_bus_message* message, std::string& value) {
    const char* text = nullptr;
    int r = sd_bus_message_read_basic(message, 's', &text);
    if (r > 0) value = text;
    return r;
}
int Read(sd_bus_message* message, bool& value) {
    int boolean = 0;
    int r = sd_bus_message_read_basic(message, 'b', &boolean);
    value = boolean != 0;
    return r;
}
template <typename Number, char kType>
int ReadNumber(sd_bus_message* message, Number& value) {
    return sd_bus_message_read_basic(message, kType, &value);
}
int Read(sd_bus_message* message, double& value) {
    return ReadNumber<double, 'd'>(message, value);
}
int Read(sd_bus_message* message, std::uint64_t& value) {
    return ReadNumber<std::uint64_t, 't'>(message, value);
}
int Read(sd_bus_message* message, std::uint32_t& value) {
    return ReadNumber<std::uint32_t, 'u'>(message, value);
}
int Read(sd_bus_message* message, std::array<double, 3>& values) {
    const void* data = nullptr;
    size_t size = 0;
    int r = sd_bus_message_read_array(message, 'd', &data, &size);
    if (r >= 0) std::memcpy(values.data(), data, std::min(size, sizeof values));
    return r;
}
int Read(sd_bus_message* message, std::vector<Facts::Frontend>& frontends) {
    int r = sd_bus_message_enter_container(message, 'a', "(sssqs)");
    const char* name = nullptr;
    const char* type = nullptr;
    const char* describe = nullptr;
    const char* serving = nullptr;
    std::uint16_t port = 0;
    while (r >= 0 && (r = sd_bus_message_read(message, "(sssqs)", &name, &type, &describe, &port,
                                              &serving)) > 0)
        frontends.push_back({name, type, describe, port, serving});
    return r < 0 ? r : sd_bus_message_exit_container(message);
}

/// Reads a property's variant into `Member` when it has the type this version expects.
template <auto Member>
int ReadVariant(sd_bus_message* message, const char* signature, Facts& facts) {
    int r = sd_bus_message_enter_container(message, 'v', signature);
    if (r <= 0) return sd_bus_message_skip(message, "v"); // another type: a later version
    r = Read(message, facts.*Member);
    return r < 0 ? r : sd_bus_message_exit_container(message);
}

struct Property {
    std::string_view name;
    const char* signature;
    int (*read)(sd_bus_message*, const char*, Facts&);
};

constexpr auto kProperties = std::apply(
    [](const auto&... properties) {
        return std::array{
            Property{properties.name, properties.signature,
                     ReadVariant<std::remove_cvref_t<decltype(properties)>::kMember>}...};
    },
    kMeterBusProperties);

int ReadEntry(sd_bus_message* message, Facts& facts) {
    const char* name = nullptr;
    int r = sd_bus_message_read_basic(message, 's', &name);
    if (r < 0) return r;
    for (const Property& property : kProperties)
        if (property.name == name) return property.read(message, property.signature, facts);
    return sd_bus_message_skip(message, "v"); // a property of a later version
}

Facts ParseProperties(sd_bus_message* reply) {
    Facts facts;
    int r = sd_bus_message_enter_container(reply, 'a', "{sv}");
    while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
        r = ReadEntry(reply, facts);
        if (r >= 0) r = sd_bus_message_exit_container(reply);
    }
    if (r < 0)
        throw MeterBusReadError(std::string("unexpected reply from ") + kMeterBusName + ": " +
                                std::strerror(-r));
    return facts;
}

std::string Watts(double watts, bool sign) {
    char text[32];
    std::snprintf(text, sizeof text, sign ? "%+.1f W" : "%.1f W", watts);
    return text;
}

std::string GridLine(const Facts& facts) {
    if (!facts.reading_present) return "no reading yet";
    double total = facts.grid_power_total;
    std::string line = (total < 0 ? "exporting " : "importing ") + Watts(std::fabs(total), false);
    const char* names[] = {"A", "B", "C"};
    line += " (";
    for (std::size_t phase = 0; phase < facts.grid_power.size(); ++phase)
        line += (phase ? ", " : "") + std::string(names[phase]) + " " +
                Watts(facts.grid_power[phase], true);
    return line + ")";
}

std::string ReadingLine(const Facts& facts) {
    if (!facts.reading_present) return "none yet";
    char text[64];
    std::snprintf(text, sizeof text, "%.1f s old%s", facts.reading_age_s,
                  facts.stale ? ", stale" : "");
    return text;
}

std::string Date(std::time_t when) {
    std::tm local{};
    localtime_r(&when, &local);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d", &local);
    return text;
}

std::string TokenLine(std::uint64_t expiry, std::time_t now) {
    auto expires = static_cast<std::time_t>(expiry);
    if (expires <= now) return "expired on " + Date(expires);
    return "valid until " + Date(expires) + " (" + std::to_string((expires - now) / 86400) +
           " days)";
}

std::string FrontendLine(const Facts::Frontend& frontend) {
    std::string line = frontend.name + ", " + frontend.describe;
    if (frontend.http_port) line += ", HTTP port " + std::to_string(frontend.http_port);
    return line + ", serving " + frontend.serving;
}

void AddLine(std::string& out, std::string_view label, const std::string& value) {
    char text[16];
    std::snprintf(text, sizeof text, "%10.*s: ", static_cast<int>(label.size()), label.data());
    out += text + value + "\n";
}

} // namespace

MeterBusFacts ReadMeterBus() {
    sd_bus* raw = nullptr;
    if (int r = sd_bus_open_system(&raw); r < 0)
        throw MeterBusReadError(std::string("cannot connect to the system bus: ") +
                                std::strerror(-r));
    SdBusPtr bus(raw);
    SdBusError error;
    sd_bus_message* reply = nullptr;
    if (sd_bus_call_method(bus.get(), kMeterBusName, kMeterBusPath,
                           "org.freedesktop.DBus.Properties", "GetAll", error.Get(), &reply, "s",
                           kMeterBusInterface) < 0) {
        if (error.Is(SD_BUS_ERROR_SERVICE_UNKNOWN) || error.Is(SD_BUS_ERROR_NAME_HAS_NO_OWNER))
            throw MeterBusReadError(std::string("meteremu is not running: nobody owns ") +
                                    kMeterBusName + " on the system bus");
        throw MeterBusReadError(std::string("cannot read ") + kMeterBusName + ": " +
                                error.Message());
    }
    return ParseProperties(SdBusMessagePtr(reply).get());
}

std::string FormatMeterStatus(const MeterBusFacts& facts, std::time_t now) {
    std::string out = "meteremu " + facts.version + " (" + facts.config_file + ")\n";
    AddLine(out, "Grid", GridLine(facts));
    AddLine(out, "Reading", ReadingLine(facts));
    AddLine(out, "Source", facts.source + ": " + facts.source_health);
    if (facts.token_expiry_s) AddLine(out, "Token", TokenLine(facts.token_expiry_s, now));
    AddLine(out, "Clients", std::to_string(facts.clients) + " in the last minute");
    for (const Facts::Frontend& frontend : facts.frontends)
        AddLine(out, "Frontend", FrontendLine(frontend));
    return out;
}

} // namespace meteremu
