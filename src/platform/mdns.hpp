// SPDX-License-Identifier: MIT
// Advertises services over mDNS/DNS-SD through avahi-daemon (the Avahi client library on an
// AvahiThreadedPoll of its own). Publishing is asynchronous and never fatal: without
// avahi-daemon the publisher waits for it, re-registers after it restarts, renames on a
// name conflict and follows the machine's addresses. What happens is reported through a
// callback so that the daemon logs it with its own context.
#pragma once

#include "platform/mdns_service.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace meteremu {

enum class MdnsEvent {
    Unavailable, ///< avahi-daemon (or the D-Bus system bus) is not there; waiting for it
    NoAddress,   ///< no interface carries the listen address (yet); waiting for one
    Published,   ///< every record is established on the network
    Renamed,     ///< a name was taken by another host; the detail names the new one
    Lost,        ///< avahi-daemon went away; publishing again when it returns
    Failed,      ///< publishing failed; retried later
};

struct MdnsReport {
    MdnsEvent event;
    std::string detail;
};

/// Called on the Avahi thread with its lock held: must return quickly and must not call
/// back into the publisher.
using MdnsReporter = std::function<void(const MdnsReport&)>;

class MdnsPublisher {
public:
    /// Starts publishing `services`, whose host names resolve to the addresses a server bound
    /// to `listen_address` answers on ("", "0.0.0.0", "::": every IPv4 address). Returns at
    /// once; Unavailable is reported once if avahi-daemon is not running, and nothing else is
    /// reported until it is. Throws std::system_error when Avahi's thread cannot be started.
    MdnsPublisher(std::vector<MdnsService> services, std::string listen_address,
                  MdnsReporter reporter);

    /// Withdraws every record (avahi-daemon sends the goodbye packets) and stops the thread.
    ~MdnsPublisher();

    MdnsPublisher(const MdnsPublisher&) = delete;
    MdnsPublisher& operator=(const MdnsPublisher&) = delete;

    /// Publishes `services` instead of the current ones (for example when a reload changed the
    /// device's identity); names taken by a conflict start over from the new ones. Safe from
    /// any thread but the reporter's.
    void Update(std::vector<MdnsService> services);

    class Impl;

private:
    std::unique_ptr<Impl> impl_;
};

} // namespace meteremu
