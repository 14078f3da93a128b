// SPDX-License-Identifier: MIT
// The daemon's state on the system bus (docs/dbus.md): the name io.meteremu.Meter1 and the
// object /io/meteremu/Meter1 with read-only properties, and PropertiesChanged when they
// change: at most once per Publish, which the daemon calls once a second, so a new reading is
// signalled within a second and a source that refreshes faster does not flood the bus.
//
// sd-bus is not thread-safe: a thread of its own ("dbus") owns the connection and answers
// there; Publish leaves a copy of the facts for it and wakes it. The RPC path never meets the
// bus: it neither takes the lock Publish takes nor waits for the bus.
#pragma once

#include "platform/meter_bus_facts.hpp"
#include "util/unique_fd.hpp"

#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace meteremu {

/// What became of the bus connection, for the journal: the daemon logs each report once.
struct MeterBusReport {
    enum class Kind {
        Serving, ///< the name is ours
        NoBus,   ///< there is no system bus here (a container, a host without D-Bus)
        Refused, ///< the bus refuses the name: its policy, or another process holds it
        Lost,    ///< the connection ended while serving
    };
    Kind kind;
    std::string text;
};

class MeterBus {
public:
    /// Starts the thread, which connects to the system bus (DBUS_SYSTEM_BUS_ADDRESS when set,
    /// else the standard socket), publishes the object with `facts` and takes the name. Never
    /// waits for the bus: how it went comes in TakeReports.
    explicit MeterBus(MeterBusFacts facts);
    /// Stops the thread, which leaves the bus (the name goes with the connection).
    ~MeterBus();

    MeterBus(const MeterBus&) = delete;
    MeterBus& operator=(const MeterBus&) = delete;

    /// The facts now; the thread signals what changed. Thread-safe, never waits for the bus.
    void Publish(MeterBusFacts facts);

    /// Whether the name is not (or no longer) served: no bus, refused or lost. Thread-safe.
    bool Failed() const noexcept { return failed_; }

    /// What happened to the connection since the last call. Thread-safe.
    std::vector<MeterBusReport> TakeReports();

private:
    struct Connection; // what the thread owns and sd-bus calls back into
    void Run(std::stop_token stop) noexcept;
    void Serve(Connection& connection, std::stop_token stop);
    std::optional<MeterBusFacts> TakePending();
    void Report(MeterBusReport::Kind kind, std::string text) noexcept;

    UniqueFd wake_; ///< eventfd: new facts, or stop
    std::mutex mutex_;
    std::optional<MeterBusFacts> pending_;
    std::vector<MeterBusReport> reports_;
    std::atomic<bool> failed_ = false;
    std::jthread thread_; ///< last: starts when everything it uses is there
};

} // namespace meteremu
