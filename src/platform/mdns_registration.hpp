// SPDX-License-Identifier: MIT
// The records of a set of services inside avahi-daemon, for MdnsPublisher. They live in two
// entry groups so that a conflict tells which name to change: the address records of our
// own host names, and the services. Runs on Avahi's poll thread (or under its lock) only.
#pragma once

#include "platform/mdns.hpp"
#include "platform/mdns_records.hpp"
#include "platform/net_interfaces.hpp"
#include "util/avahi.hpp"

#include <set>
#include <string>
#include <vector>

namespace meteremu {

/// Passes reports on; a waiting state once until the next Published, a failure once per
/// distinct reason.
class MdnsReports {
public:
    explicit MdnsReports(MdnsReporter reporter) : reporter_(std::move(reporter)) {}

    void Report(MdnsEvent event, const std::string& detail) noexcept;
    void ReportOnce(MdnsEvent event, const std::string& detail) noexcept;
    /// Counts `event` as reported: it stays silent until the next Published.
    void Silence(MdnsEvent event) noexcept;

private:
    MdnsReporter reporter_;
    std::set<MdnsEvent> reported_;
    std::string last_failure_;
};

class MdnsRegistration {
public:
    MdnsRegistration(std::vector<MdnsService> services, std::string listen_address,
                     MdnsReports& reports);

    /// New services to publish; names taken by conflicts start over from these.
    void SetServices(std::vector<MdnsService> services);
    /// Back to the configured names: on a new connection the conflict may be gone.
    void RestoreNames();

    /// Publishes every record anew through `client`, which must be running.
    void Register(AvahiClient* client) noexcept;
    /// Registers when nothing is registered; follows added, changed and lost addresses.
    void Refresh(AvahiClient* client) noexcept;
    /// Withdraws every record; the next Register() or Refresh() publishes them again.
    void Withdraw() noexcept;
    /// Frees the groups, before their client is freed.
    void Free() noexcept;
    /// Forgets the groups without freeing them: a failed avahi_client_new() took them along.
    void Abandon() noexcept;

    /// True when a SRV record points at avahi-daemon's own host name, which it may change.
    bool UsesDaemonHostName() const noexcept;

private:
    static void OnGroupState(AvahiEntryGroup* group, AvahiEntryGroupState state,
                             void* self) noexcept;
    void GroupStateChanged(AvahiEntryGroup* group, AvahiEntryGroupState state);

    bool TryRegister(AvahiClient* client);
    bool PublishHosts(const std::string& domain);
    bool PublishServices(AvahiClient* client, const std::string& domain);
    static bool AddRecords(AvahiEntryGroup* group, AvahiIfIndex interface, AvahiProtocol protocol,
                           AvahiPublishFlags flags, const std::vector<DnsRecord>& records);
    void EnsureGroups(AvahiClient* client);
    void RenameServices();
    void RenameHosts();
    std::string Summary(AvahiClient* client) const;

    std::vector<MdnsService> configured_; ///< as given
    std::vector<MdnsService> services_;   ///< as published: with the names conflicts left us
    std::string listen_address_;
    MdnsReports& reports_;
    std::vector<InterfaceAddress> addresses_; ///< what the address records say
    bool registered_ = false;                 ///< both groups committed
    bool hosts_established_ = false;
    bool services_established_ = false;
    AvahiEntryGroupPtr hosts_;
    AvahiEntryGroupPtr services_group_;
};

} // namespace meteremu
