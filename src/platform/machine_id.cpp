// SPDX-License-Identifier: MIT
#include "platform/machine_id.hpp"

#include <systemd/sd-id128.h>

#include <algorithm>
#include <system_error>

namespace meteremu {

Id128Bytes MacApplicationId(std::uint32_t device) noexcept {
    // Never change this: it would change the MAC, and so the device id, of every install.
    Id128Bytes id{0x60, 0xa1, 0x3b, 0x1e, 0x32, 0x08, 0x4b, 0x43,
                  0x81, 0x6d, 0xcf, 0x97, 0xed, 0x95, 0xab, 0xb3};
    // The hash of the machine id spreads a one-bit change over the whole derived address.
    for (std::size_t i = 0; i < sizeof device; ++i)
        id[id.size() - 1 - i] ^= static_cast<std::uint8_t>(device >> (8 * i));
    return id;
}

MacAddress MacFromAppSpecificId(const Id128Bytes& app_specific_id) noexcept {
    MacAddress mac;
    std::copy_n(app_specific_id.begin(), mac.size(), mac.begin());
    mac[0] = static_cast<std::uint8_t>((mac[0] | 0x02) & ~0x01); // local, unicast
    return mac;
}

MacAddress StableMacAddress(std::uint32_t device) {
    sd_id128_t application;
    std::ranges::copy(MacApplicationId(device), application.bytes);
    sd_id128_t id;
    int error = sd_id128_get_machine_app_specific(application, &id);
    if (error < 0)
        throw std::system_error(-error, std::generic_category(),
                                "cannot derive a MAC address from /etc/machine-id");
    return MacFromAppSpecificId(std::to_array(id.bytes));
}

} // namespace meteremu
