// SPDX-License-Identifier: MIT
#include "platform/meter_bus.hpp"

#include "util/sd_bus.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <system_error>
#include <tuple>
#include <type_traits>

namespace meteremu {

struct MeterBus::Connection {
    SdBusPtr bus;
    SdBusSlotPtr object;
    MeterBusFacts facts; ///< what the getters answer: only the thread touches it
};

namespace {

using Facts = MeterBusFacts;
constexpr std::uint64_t kCallTimeoutUs = 5'000'000; // the bus answers RequestName in ms

int Append(sd_bus_message* reply, const std::string& value) {
    return sd_bus_message_append_basic(reply, 's', value.c_str());
}
int Append(sd_bus_message* reply, double value) {
    return sd_bus_message_append_basic(reply, 'd', &value);
}
int Append(sd_bus_message* reply, bool value) {
    int boolean = value; // D-Bus booleans are 32 bits wide
    return sd_bus_message_append_basic(reply, 'b', &boolean);
}
int Append(sd_bus_message* reply, std::uint64_t value) {
    return sd_bus_message_append_basic(reply, 't', &value);
}
int Append(sd_bus_message* reply, std::uint32_t value) {
    return sd_bus_message_append_basic(reply, 'u', &value);
}
int Append(sd_bus_message* reply, const std::array<double, 3>& values) {
    return sd_bus_message_append_array(reply, 'd', values.data(), sizeof values);
}
int Append(sd_bus_message* reply, const std::vector<Facts::Frontend>& frontends) {
    int r = sd_bus_message_open_container(reply, 'a', "(sssqs)");
    for (const Facts::Frontend& frontend : frontends)
        if (r >= 0)
            r = sd_bus_message_append(reply, "(sssqs)", frontend.name.c_str(),
                                      frontend.type.c_str(), frontend.describe.c_str(),
                                      frontend.http_port, frontend.serving.c_str());
    return r < 0 ? r : sd_bus_message_close_container(reply);
}

/// The getter of the property kept in `Member`, for sd-bus (a C callback: never throws).
template <auto Member>
int Get(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply, void* userdata,
        sd_bus_error*) noexcept {
    return Append(reply, static_cast<const Facts*>(userdata)->*Member);
}

constexpr std::uint64_t FlagsOf(BusPropertyKind kind) {
    switch (kind) {
    case BusPropertyKind::Constant:
        return SD_BUS_VTABLE_PROPERTY_CONST;
    case BusPropertyKind::Signalled:
        return SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE;
    case BusPropertyKind::Polled:
        return 0;
    }
    return 0;
}

template <typename... Properties>
constexpr auto MakeVtable(const Properties&... properties) noexcept {
    // The inner braces are the array's own: each element is then one sd-bus macro.
    return std::array<sd_bus_vtable, sizeof...(Properties) + 2>{
        {SD_BUS_VTABLE_START(0),
         SD_BUS_PROPERTY(properties.name, properties.signature, Get<Properties::kMember>, 0,
                         FlagsOf(properties.kind))...,
         SD_BUS_VTABLE_END}};
}

constexpr auto kVtable =
    std::apply([](const auto&... properties) noexcept { return MakeVtable(properties...); },
               kMeterBusProperties);

struct Signalled {
    const char* name; ///< null for a property that is not signalled
    bool (*changed)(const Facts& before, const Facts& after);
};

template <auto Member>
bool Changed(const Facts& before, const Facts& after) {
    return !(before.*Member == after.*Member);
}

constexpr auto kSignalled = std::apply(
    [](const auto&... properties) {
        return std::array{
            Signalled{properties.kind == BusPropertyKind::Signalled ? properties.name : nullptr,
                      Changed<std::remove_cvref_t<decltype(properties)>::kMember>}...};
    },
    kMeterBusProperties);

std::string Errno(int negative) {
    return std::strerror(-negative);
}

/// Milliseconds until sd-bus' next deadline (absolute, CLOCK_MONOTONIC), -1 for none.
int PollTimeout(sd_bus* bus) {
    std::uint64_t deadline = 0;
    if (sd_bus_get_timeout(bus, &deadline) < 0 || deadline == UINT64_MAX) return -1;
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    std::uint64_t now_us = static_cast<std::uint64_t>(now.tv_sec) * 1'000'000 +
                           static_cast<std::uint64_t>(now.tv_nsec) / 1000;
    if (deadline <= now_us) return 0;
    return static_cast<int>(std::min<std::uint64_t>((deadline - now_us + 999) / 1000, 60'000));
}

} // namespace

MeterBus::MeterBus(MeterBusFacts facts)
    : wake_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)), pending_(std::move(facts)) {
    if (!wake_.Valid()) throw std::system_error(errno, std::generic_category(), "eventfd");
    thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
}

MeterBus::~MeterBus() {
    thread_.request_stop();
    std::uint64_t one = 1;
    [[maybe_unused]] auto written = write(wake_.Get(), &one, sizeof one);
    if (thread_.joinable()) thread_.join();
}

void MeterBus::Publish(MeterBusFacts facts) {
    {
        std::lock_guard lock(mutex_);
        pending_ = std::move(facts);
    }
    std::uint64_t one = 1;
    [[maybe_unused]] auto written = write(wake_.Get(), &one, sizeof one);
}

std::vector<MeterBusReport> MeterBus::TakeReports() {
    std::lock_guard lock(mutex_);
    return std::exchange(reports_, {});
}

std::optional<MeterBusFacts> MeterBus::TakePending() {
    std::lock_guard lock(mutex_);
    return std::exchange(pending_, std::nullopt);
}

void MeterBus::Report(MeterBusReport::Kind kind, std::string text) noexcept try {
    if (kind != MeterBusReport::Kind::Serving) failed_ = true;
    std::lock_guard lock(mutex_);
    reports_.push_back({kind, std::move(text)});
} catch (...) {
    // Out of memory: the journal misses one line, the bus goes on.
}

namespace {

using Kind = MeterBusReport::Kind;

/// Why the name is not ours, in words that say what to do.
std::string Refusal(int error) {
    std::string name = kMeterBusName;
    if (error == -EEXIST || error == -EALREADY)
        return "another process owns " + name + " on the system bus (another meteremu?)";
    if (error == -EACCES || error == -EPERM)
        return "the system bus does not let this user own " + name +
               ": the package's policy /usr/share/dbus-1/system.d/" + name +
               ".conf lets only _meteremu";
    return "cannot own " + name + " on the system bus: " + Errno(error);
}

} // namespace

void MeterBus::Run(std::stop_token stop) noexcept try {
    pthread_setname_np(pthread_self(), "dbus");
    Connection connection;
    connection.facts = TakePending().value_or(MeterBusFacts{});
    sd_bus* bus = nullptr;
    if (int r = sd_bus_open_system_with_description(&bus, "meteremu"); r < 0) {
        Report(Kind::NoBus, "no system bus to publish on (" + Errno(r) + ")");
        return;
    }
    connection.bus.reset(bus);
    sd_bus_set_method_call_timeout(bus, kCallTimeoutUs);
    sd_bus_slot* slot = nullptr;
    if (int r = sd_bus_add_object_vtable(bus, &slot, kMeterBusPath, kMeterBusInterface,
                                         kVtable.data(), &connection.facts);
        r < 0) {
        Report(Kind::Refused, "cannot publish " + std::string(kMeterBusPath) + ": " + Errno(r));
        return;
    }
    connection.object.reset(slot);
    if (int r = sd_bus_request_name(bus, kMeterBusName, 0); r < 0) {
        Report(r == -ECONNREFUSED || r == -ENOENT || r == -ECONNRESET ? Kind::NoBus : Kind::Refused,
               Refusal(r));
        return;
    }
    Report(Kind::Serving, std::string(kMeterBusName) + " on the system bus");
    Serve(connection, stop);
} catch (...) {
    Report(Kind::Lost, "the D-Bus thread failed; the state is no longer on the system bus");
}

/// Answers the bus and signals new facts until stopped or until the bus goes away.
void MeterBus::Serve(Connection& connection, std::stop_token stop) {
    sd_bus* bus = connection.bus.get();
    std::vector<const char*> changed;
    while (!stop.stop_requested()) {
        int r;
        while ((r = sd_bus_process(bus, nullptr)) > 0) {
        }
        if (r < 0) {
            Report(Kind::Lost, "the system bus connection ended (" + Errno(r) + ")");
            return;
        }
        pollfd fds[] = {{sd_bus_get_fd(bus), static_cast<short>(sd_bus_get_events(bus)), 0},
                        {wake_.Get(), POLLIN, 0}};
        if (poll(fds, 2, PollTimeout(bus)) < 0 && errno != EINTR) return;
        if (!(fds[1].revents & POLLIN)) continue;
        std::uint64_t count = 0;
        [[maybe_unused]] auto read_bytes = read(wake_.Get(), &count, sizeof count);
        std::optional<MeterBusFacts> next = TakePending();
        if (!next) continue;
        changed.clear();
        for (const Signalled& property : kSignalled)
            if (property.name && property.changed(connection.facts, *next))
                changed.push_back(property.name);
        connection.facts = std::move(*next);
        if (changed.empty()) continue;
        changed.push_back(nullptr);
        sd_bus_emit_properties_changed_strv(bus, kMeterBusPath, kMeterBusInterface,
                                            const_cast<char**>(changed.data()));
    }
}

} // namespace meteremu
