// SPDX-License-Identifier: MIT
#include "load_sharing.hpp"

namespace meteremu::sim {

double SharedReading(std::span<const SharedBattery> group, std::size_t self, double grid_w,
                     double balance_gain) {
    double outputs = 0;
    for (const SharedBattery& battery : group)
        outputs += battery.output_at_sample_w;
    bool charging = grid_w + outputs < 0;
    auto weight = [charging](const SharedBattery& battery) {
        return charging && !battery.charges_from_ac ? 0.0 : battery.weight;
    };
    double weights = 0;
    for (const SharedBattery& battery : group)
        weights += weight(battery);
    const SharedBattery& me = group[self];
    if (weights <= 0) return -me.output_at_sample_w; // nobody may take it: all to 0
    double share = weight(me) / weights;
    return share * grid_w + balance_gain * (share * outputs - me.output_at_sample_w);
}

} // namespace meteremu::sim
