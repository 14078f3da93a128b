// SPDX-License-Identifier: MIT
#include "net/allow_list.hpp"

#include <algorithm>

namespace meteremu {

bool AllowList::Allows(const IpAddress& address) const noexcept {
    if (networks_.empty() || address.IsHostLoopback()) return true;
    return std::any_of(networks_.begin(), networks_.end(),
                       [&](const IpNetwork& network) { return network.Contains(address); });
}

ClientFilter::ClientFilter(AllowList list)
    : list_(std::make_shared<const AllowList>(std::move(list))) {}

void ClientFilter::Replace(AllowList list) {
    list_.Store(std::make_shared<const AllowList>(std::move(list)));
}

bool ClientFilter::Allows(const sockaddr* peer) const noexcept {
    std::shared_ptr<const AllowList> list = list_.Load();
    if (list->Empty()) return true;
    auto address = IpAddress::Of(peer);
    return address && list->Allows(*address);
}

} // namespace meteremu
