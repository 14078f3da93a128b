// SPDX-License-Identifier: MIT
#include "platform/mdns_records.hpp"

#include <avahi-common/defs.h>
#include <avahi-common/domain.h>
#include <avahi-common/malloc.h>

#include <netinet/in.h>
#include <stdexcept>

namespace meteremu {
namespace {

void Append(std::vector<std::uint8_t>& out, const std::vector<std::uint8_t>& more) {
    out.insert(out.end(), more.begin(), more.end());
}

void AppendU16(std::vector<std::uint8_t>& out, std::uint16_t value) {
    out.push_back(static_cast<std::uint8_t>(value >> 8));
    out.push_back(static_cast<std::uint8_t>(value & 0xff));
}

std::string ServiceName(const MdnsService& service, std::string_view domain) {
    if (!avahi_is_valid_service_type_strict(service.type.c_str()))
        throw std::invalid_argument("'" + service.type + "' is not a DNS-SD service type");
    if (!avahi_is_valid_service_name(service.name.c_str()))
        throw std::invalid_argument("'" + service.name + "' is not a DNS-SD instance name");
    char joined[AVAHI_DOMAIN_NAME_MAX];
    if (avahi_service_name_join(joined, sizeof joined, service.name.c_str(), service.type.c_str(),
                                std::string(domain).c_str()) < 0)
        throw std::invalid_argument("cannot form a service name from '" + service.name + "'");
    return joined;
}

std::vector<std::uint8_t> SrvData(std::uint16_t port, std::string_view target) {
    std::vector<std::uint8_t> data;
    AppendU16(data, 0); // priority
    AppendU16(data, 0); // weight
    AppendU16(data, port);
    Append(data, WireName(target));
    return data;
}

} // namespace

std::string JoinHostName(std::string_view label, std::string_view domain) {
    if (label.empty() || label.size() > AVAHI_LABEL_MAX - 1)
        throw std::invalid_argument("'" + std::string(label) + "' is not a host name");
    char escaped[AVAHI_LABEL_MAX * 4];
    char* out = escaped;
    size_t room = sizeof escaped;
    if (!avahi_escape_label(label.data(), label.size(), &out, &room))
        throw std::invalid_argument("cannot escape host name '" + std::string(label) + "'");
    return std::string(escaped) + "." + std::string(domain);
}

std::vector<std::uint8_t> WireName(std::string_view name) {
    std::string text(name);
    const char* cursor = text.c_str();
    std::vector<std::uint8_t> wire;
    while (*cursor) {
        char label[AVAHI_LABEL_MAX];
        if (!avahi_unescape_label(&cursor, label, sizeof label) || !*label)
            throw std::invalid_argument("'" + text + "' is not a domain name");
        std::string_view value(label);
        wire.push_back(static_cast<std::uint8_t>(value.size()));
        wire.insert(wire.end(), value.begin(), value.end());
    }
    if (wire.empty()) throw std::invalid_argument("an empty domain name");
    wire.push_back(0);
    return wire;
}

std::vector<std::uint8_t> TxtData(const std::vector<std::string>& strings) {
    std::vector<std::uint8_t> data;
    for (const auto& text : strings) {
        if (text.size() > 255)
            throw std::invalid_argument("TXT string longer than 255 bytes: " + text.substr(0, 32));
        data.push_back(static_cast<std::uint8_t>(text.size()));
        data.insert(data.end(), text.begin(), text.end());
    }
    if (data.empty()) data.push_back(0);
    return data;
}

std::vector<DnsRecord> ServiceRecords(const MdnsService& service, std::string_view target,
                                      std::string_view domain) {
    std::string instance = ServiceName(service, domain);
    std::string type = service.type + "." + std::string(domain);
    std::string enumeration = "_services._dns-sd._udp." + std::string(domain);
    return {
        {type, AVAHI_DNS_TYPE_PTR, false, WireName(instance)},
        {instance, AVAHI_DNS_TYPE_SRV, true, SrvData(service.port, target)},
        {instance, AVAHI_DNS_TYPE_TXT, true, TxtData(service.txt)},
        {enumeration, AVAHI_DNS_TYPE_PTR, false, WireName(type)},
    };
}

DnsRecord AddressRecord(std::string_view host, const InterfaceAddress& address) {
    bool v4 = address.family == AF_INET;
    const auto* end = address.bytes.begin() + (v4 ? 4 : 16);
    return {std::string(host),
            static_cast<std::uint16_t>(v4 ? AVAHI_DNS_TYPE_A : AVAHI_DNS_TYPE_AAAA), true,
            std::vector<std::uint8_t>(address.bytes.begin(), end)};
}

} // namespace meteremu
