// SPDX-License-Identifier: MIT
#include "platform/mdns_registration.hpp"

#include "platform/log.hpp"

#include <avahi-common/alternative.h>

#include <algorithm>
#include <new>
#include <stdexcept>
#include <sys/socket.h>

namespace meteremu {
namespace {

/// Renames in a row after local conflicts before giving up until the next retry.
constexpr int kMaxRenames = 20;

AvahiProtocol ProtocolOf(int family) noexcept {
    return family == AF_INET6 ? AVAHI_PROTO_INET6 : AVAHI_PROTO_INET;
}

} // namespace

void MdnsReports::Report(MdnsEvent event, const std::string& detail) noexcept {
    if (event == MdnsEvent::Published) {
        reported_.clear();
        last_failure_.clear();
    }
    try {
        if (reporter_) reporter_({event, detail});
    } catch (...) {
        // The reporter only logs; nothing sensible is left to do when that fails.
    }
}

void MdnsReports::ReportOnce(MdnsEvent event, const std::string& detail) noexcept {
    if (event == MdnsEvent::Failed ? detail == last_failure_ : reported_.contains(event)) return;
    try {
        if (event == MdnsEvent::Failed) last_failure_ = detail;
        reported_.insert(event);
    } catch (...) {
    }
    Report(event, detail);
}

void MdnsReports::Silence(MdnsEvent event) noexcept {
    try {
        reported_.insert(event);
    } catch (...) {
    }
}

MdnsRegistration::MdnsRegistration(std::vector<MdnsService> services, std::string listen_address,
                                   MdnsReports& reports)
    : configured_(std::move(services)), services_(configured_),
      listen_address_(std::move(listen_address)), reports_(reports) {}

void MdnsRegistration::SetServices(std::vector<MdnsService> services) {
    configured_ = std::move(services);
    services_ = configured_;
    registered_ = false; // the next Register() or Refresh() publishes these
}

void MdnsRegistration::RestoreNames() {
    services_ = configured_;
}

void MdnsRegistration::Register(AvahiClient* client) noexcept {
    try {
        Withdraw();
        addresses_ = ReachableAddresses(listen_address_);
        if (addresses_.empty()) {
            reports_.ReportOnce(MdnsEvent::NoAddress,
                                IsWildcardAddress(listen_address_)
                                    ? "no interface has an IPv4 address"
                                    : "no interface has the listen address " + listen_address_);
            return;
        }
        for (int attempt = 0; attempt < kMaxRenames; ++attempt)
            if (TryRegister(client)) {
                registered_ = true;
                return;
            }
        throw std::runtime_error("every alternative name is taken");
    } catch (...) {
        Withdraw();
        reports_.ReportOnce(MdnsEvent::Failed, log::DescribeCurrentException());
    }
}

void MdnsRegistration::Refresh(AvahiClient* client) noexcept {
    try {
        auto now = ReachableAddresses(listen_address_);
        if (registered_ && now == addresses_) return;
        // With a wildcard listener only the address records change; the services stay put
        // (withdrawing them would send goodbyes that make clients drop the device), unless
        // a TXT record carries the address.
        if (registered_ && IsWildcardAddress(listen_address_) && !now.empty() &&
            std::ranges::none_of(
                services_, [](const auto& service) { return !service.address_txt_key.empty(); })) {
            addresses_ = std::move(now);
            hosts_established_ = false;
            if (PublishHosts(avahi_client_get_domain_name(client))) return;
        }
        Register(client);
    } catch (...) {
        registered_ = false; // the next Refresh() registers everything again
        reports_.ReportOnce(MdnsEvent::Failed, log::DescribeCurrentException());
    }
}

void MdnsRegistration::Withdraw() noexcept {
    registered_ = hosts_established_ = services_established_ = false;
    if (hosts_) avahi_entry_group_reset(hosts_.get());
    if (services_group_) avahi_entry_group_reset(services_group_.get());
}

void MdnsRegistration::Free() noexcept {
    registered_ = false;
    services_group_.reset();
    hosts_.reset();
}

void MdnsRegistration::Abandon() noexcept {
    registered_ = false;
    (void)services_group_.release();
    (void)hosts_.release();
}

bool MdnsRegistration::UsesDaemonHostName() const noexcept {
    return std::ranges::any_of(services_, [](const auto& service) { return service.host.empty(); });
}

void MdnsRegistration::OnGroupState(AvahiEntryGroup* group, AvahiEntryGroupState state,
                                    void* self) noexcept {
    auto& registration = *static_cast<MdnsRegistration*>(self);
    try {
        registration.GroupStateChanged(group, state);
    } catch (...) {
        registration.reports_.ReportOnce(MdnsEvent::Failed, log::DescribeCurrentException());
    }
}

void MdnsRegistration::GroupStateChanged(AvahiEntryGroup* group, AvahiEntryGroupState state) {
    bool is_hosts = group == hosts_.get();
    switch (state) {
    case AVAHI_ENTRY_GROUP_ESTABLISHED:
        (is_hosts ? hosts_established_ : services_established_) = true;
        if (registered_ && hosts_established_ && services_established_)
            reports_.Report(MdnsEvent::Published, Summary(avahi_entry_group_get_client(group)));
        break;
    case AVAHI_ENTRY_GROUP_COLLISION:
        // Another host on the link owns one of the names: take the next one, probe again.
        if (is_hosts)
            RenameHosts();
        else
            RenameServices();
        Register(avahi_entry_group_get_client(group));
        break;
    case AVAHI_ENTRY_GROUP_FAILURE:
        registered_ = false; // the publisher's timer retries
        reports_.ReportOnce(MdnsEvent::Failed, avahi_strerror(avahi_client_errno(
                                                   avahi_entry_group_get_client(group))));
        break;
    default:
        break;
    }
}

/// False when a name was taken locally (by another client of the same avahi-daemon) and has
/// been changed; throws on other errors.
bool MdnsRegistration::TryRegister(AvahiClient* client) {
    EnsureGroups(client);
    Withdraw();
    std::string domain = avahi_client_get_domain_name(client);
    return PublishHosts(domain) && PublishServices(client, domain);
}

bool MdnsRegistration::PublishHosts(const std::string& domain) {
    avahi_entry_group_reset(hosts_.get());
    std::set<std::string> hosts;
    for (const auto& service : services_)
        if (!service.host.empty()) hosts.insert(service.host);
    // ALLOW_MULTIPLE: one name, several addresses on a link, as Avahi does for its own name.
    auto flags =
        static_cast<AvahiPublishFlags>(AVAHI_PUBLISH_UNIQUE | AVAHI_PUBLISH_ALLOW_MULTIPLE);
    for (const auto& host : hosts)
        for (const auto& address : addresses_)
            if (!AddRecords(hosts_.get(), static_cast<AvahiIfIndex>(address.index),
                            ProtocolOf(address.family), flags,
                            {AddressRecord(JoinHostName(host, domain), address)})) {
                RenameHosts();
                return false;
            }
    if (hosts.empty())
        hosts_established_ = true; // nothing of ours to wait for
    else
        CheckAvahi(avahi_entry_group_commit(hosts_.get()), "cannot publish the address records");
    return true;
}

bool MdnsRegistration::PublishServices(AvahiClient* client, const std::string& domain) {
    avahi_entry_group_reset(services_group_.get());
    // Bound to one address: announce only on its link. A wildcard: on every link.
    bool one_link = !IsWildcardAddress(listen_address_) && addresses_.size() == 1;
    auto interface = one_link ? static_cast<AvahiIfIndex>(addresses_.front().index)
                              : AvahiIfIndex{AVAHI_IF_UNSPEC};
    AvahiProtocol protocol = ProtocolOf(addresses_.front().family);
    for (const auto& service : services_) {
        std::string target = service.host.empty() ? avahi_client_get_host_name_fqdn(client)
                                                  : JoinHostName(service.host, domain);
        MdnsService published = service;
        if (!service.address_txt_key.empty())
            published.txt.push_back(service.address_txt_key + "=" + addresses_.front().Text());
        if (!AddRecords(services_group_.get(), interface, protocol, AVAHI_PUBLISH_UNIQUE,
                        ServiceRecords(published, target, domain))) {
            RenameServices();
            return false;
        }
    }
    CheckAvahi(avahi_entry_group_commit(services_group_.get()), "cannot publish the services");
    return true;
}

/// Adds `records`, unique ones with `unique_flags`, every one with the TTL of a real device.
/// False on a local name conflict.
bool MdnsRegistration::AddRecords(AvahiEntryGroup* group, AvahiIfIndex interface,
                                  AvahiProtocol protocol, AvahiPublishFlags unique_flags,
                                  const std::vector<DnsRecord>& records) {
    // NOLINTNEXTLINE(readability-use-anyofallof): the loop adds each record, not just tests
    for (const auto& record : records) {
        int result = avahi_entry_group_add_record(
            group, interface, protocol, record.unique ? unique_flags : AvahiPublishFlags{},
            record.name.c_str(), AVAHI_DNS_CLASS_IN, record.type, kMdnsTtlSeconds,
            record.rdata.data(), record.rdata.size());
        if (result == AVAHI_ERR_COLLISION) return false;
        CheckAvahi(result, "cannot add a record");
    }
    return true;
}

void MdnsRegistration::EnsureGroups(AvahiClient* client) {
    for (auto* group : {&hosts_, &services_group_}) {
        if (*group) continue;
        group->reset(avahi_entry_group_new(client, &MdnsRegistration::OnGroupState, this));
        if (!*group) throw AvahiClientError(client, "cannot create an entry group");
    }
}

void MdnsRegistration::RenameServices() {
    // The services of one device share a name: each is renamed the same way.
    for (auto& service : services_) {
        AvahiStringPtr next(avahi_alternative_service_name(service.name.c_str()));
        if (!next) throw std::bad_alloc();
        service.name = next.get();
    }
    reports_.Report(MdnsEvent::Renamed,
                    "instance name taken, now \"" + services_.front().name + "\"");
}

void MdnsRegistration::RenameHosts() {
    std::string renamed;
    for (auto& service : services_) {
        if (service.host.empty()) continue;
        AvahiStringPtr next(avahi_alternative_host_name(service.host.c_str()));
        if (!next) throw std::bad_alloc();
        renamed = service.host = next.get();
    }
    reports_.Report(MdnsEvent::Renamed, "host name taken, now " + renamed + ".local");
}

/// "\"name\" as _shelly._tcp on host.local:80, _http._tcp on host.local:80; 10.0.0.5 (eth0)"
std::string MdnsRegistration::Summary(AvahiClient* client) const {
    std::string text;
    for (const auto& service : services_) {
        std::string target = service.host.empty()
                                 ? avahi_client_get_host_name_fqdn(client)
                                 : service.host + "." + avahi_client_get_domain_name(client);
        text += (text.empty() ? "\"" + service.name + "\" as " : ", ") + service.type + " on " +
                target + ":" + std::to_string(service.port);
    }
    for (size_t i = 0; i < addresses_.size(); ++i)
        text += (i ? ", " : "; ") + addresses_[i].Text() + " (" + addresses_[i].interface + ")";
    return text;
}

} // namespace meteremu
