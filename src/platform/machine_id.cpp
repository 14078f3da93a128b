// SPDX-License-Identifier: MIT
#include "platform/machine_id.hpp"

#include <system_error>

namespace meteremu {

sd_id128_t MacApplicationId() noexcept {
    // Never change this: it would change the MAC, and so the device id, of every install.
    return SD_ID128_ARRAY(60, a1, 3b, 1e, 32, 08, 4b, 43, 81, 6d, cf, 97, ed, 95, ab, b3);
}

MacAddress MacFromAppSpecificId(const sd_id128_t& app_specific_id) noexcept {
    MacAddress mac;
    for (size_t i = 0; i < mac.size(); ++i)
        mac[i] = app_specific_id.bytes[i];
    mac[0] = static_cast<std::uint8_t>((mac[0] | 0x02) & ~0x01); // local, unicast
    return mac;
}

MacAddress StableMacAddress() {
    sd_id128_t id;
    int error = sd_id128_get_machine_app_specific(MacApplicationId(), &id);
    if (error < 0)
        throw std::system_error(-error, std::generic_category(),
                                "cannot derive a MAC address from /etc/machine-id");
    return MacFromAppSpecificId(id);
}

} // namespace meteremu
