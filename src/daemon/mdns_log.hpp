// SPDX-License-Identifier: MIT
// What the daemon logs about mDNS publishing: the publisher reports, the daemon words it.
#pragma once

#include "platform/mdns.hpp"

#include <string_view>

namespace meteremu {

/// Logs one report of the MdnsPublisher. A missing avahi-daemon is a warning (once: the
/// publisher reports it once), a restart of it a notice, success info.
void LogMdnsReport(const MdnsReport& report) noexcept;

/// The event as the status page names it: "unavailable", "no_address", "published",
/// "renamed", "lost" or "failed".
std::string_view MdnsEventName(MdnsEvent event) noexcept;

} // namespace meteremu
