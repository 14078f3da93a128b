// SPDX-License-Identifier: MIT
#include "daemon/mdns_log.hpp"

#include "platform/log.hpp"

namespace meteremu {

void LogMdnsReport(const MdnsReport& report) noexcept {
    static constexpr log::Domain kDomain{"mdns"};
    switch (report.event) {
    case MdnsEvent::Unavailable:
        log::Warning(kDomain, "not advertised over mDNS: ", report.detail,
                     "; advertising as soon as it runs (mdns = false turns this off)");
        break;
    case MdnsEvent::NoAddress:
        log::Notice(kDomain, "not advertised yet: ", report.detail);
        break;
    case MdnsEvent::Published:
        log::Info(kDomain, "advertised ", report.detail);
        break;
    case MdnsEvent::Renamed:
        log::Notice(kDomain, "name conflict: ", report.detail);
        break;
    case MdnsEvent::Lost:
        log::Notice(kDomain, report.detail, "; advertising again when it is back");
        break;
    case MdnsEvent::Failed:
        log::Warning(kDomain, "cannot advertise over mDNS: ", report.detail, "; retrying");
        break;
    }
}

std::string_view MdnsEventName(MdnsEvent event) noexcept {
    switch (event) {
    case MdnsEvent::Unavailable:
        return "unavailable";
    case MdnsEvent::NoAddress:
        return "no_address";
    case MdnsEvent::Published:
        return "published";
    case MdnsEvent::Renamed:
        return "renamed";
    case MdnsEvent::Lost:
        return "lost";
    case MdnsEvent::Failed:
        return "failed";
    }
    return "?";
}

} // namespace meteremu
