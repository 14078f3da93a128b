// SPDX-License-Identifier: MIT
#include "frontends/ct002/battery_table.hpp"

#include "core/mac_address.hpp"

#include <algorithm>
#include <limits>
#include <span>

namespace meteremu::ct002 {
namespace {

constexpr Seconds kUnknownCadenceLife{30};
constexpr Seconds kShortestLife{5};
constexpr Seconds kLongestLife{60};
/// Weight of the newest interval in the mean: a few polls follow a change of cadence.
constexpr double kIntervalWeight = 0.3;

std::int32_t Saturated(std::int64_t value) noexcept {
    return static_cast<std::int32_t>(std::clamp<std::int64_t>(
        value, std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max()));
}

} // namespace

std::uint64_t MacKey(std::string_view mac) noexcept {
    // Twelve characters hold no separator: ParseMacAddress reads exactly 12 hex digits.
    auto bytes = mac.size() == 12 ? ParseMacAddress(mac) : std::nullopt;
    std::uint64_t key = 0;
    if (bytes)
        for (std::uint8_t byte : *bytes)
            key = key << 8 | byte;
    return key;
}

Seconds BatteryTable::TimeToLive(const Battery& battery) noexcept {
    if (battery.poll_interval <= Seconds(0)) return kUnknownCadenceLife;
    return std::clamp(2 * battery.poll_interval, kShortestLife, kLongestLife);
}

bool BatteryTable::IsLive(const Battery& battery, SteadyTime now) noexcept {
    return now - battery.last_seen <= TimeToLive(battery);
}

Battery& BatteryTable::SlotFor(std::uint64_t key, SteadyTime now) {
    auto used = std::span(batteries_).first(used_);
    if (auto known = std::ranges::find(used, key, &Battery::key); known != used.end())
        return *known;
    if (used_ < kCapacity) return batteries_[used_++];
    // Full: the first forgotten one, else the one heard from longest ago.
    auto forgotten = std::ranges::find_if(used, [&](const Battery& b) { return !IsLive(b, now); });
    if (forgotten != used.end()) return *forgotten;
    return *std::ranges::min_element(used, {}, &Battery::last_seen);
}

void BatteryTable::Record(const Request& request, SteadyTime now) {
    std::uint64_t key = MacKey(request.battery_mac);
    Battery& battery = SlotFor(key, now);
    recorded_ = static_cast<std::size_t>(&battery - batteries_.data());
    if (battery.key != key || !IsLive(battery, now)) {
        battery = Battery{key, std::string(request.battery_type), std::string(request.battery_mac)};
        battery.first_seen = now;
    } else {
        battery.previous_seen = battery.last_seen;
        Seconds interval = now - battery.last_seen;
        battery.poll_interval =
            battery.poll_interval <= Seconds(0)
                ? interval
                : battery.poll_interval + kIntervalWeight * (interval - battery.poll_interval);
    }
    battery.phase = request.phase;
    battery.power = request.power;
    battery.participates = request.participates;
    battery.last_seen = now;
}

BucketTotals BatteryTable::Totals(SteadyTime now) const noexcept {
    BucketTotals totals;
    std::array<std::int64_t, kBuckets> charging{};
    std::array<std::int64_t, kBuckets> discharging{};
    for (const Battery& battery : std::span(batteries_).first(used_)) {
        if (!battery.participates || !IsLive(battery, now)) continue;
        std::size_t bucket = BucketOf(battery.phase);
        ++totals.counts[bucket];
        (battery.power < 0 ? charging : discharging)[bucket] += battery.power;
    }
    for (std::size_t i = 0; i < kBuckets; ++i) {
        totals.charging[i] = Saturated(charging[i]);
        totals.discharging[i] = Saturated(discharging[i]);
    }
    return totals;
}

std::vector<Battery> BatteryTable::Live(SteadyTime now) const {
    std::vector<Battery> live;
    for (const Battery& battery : std::span(batteries_).first(used_))
        if (IsLive(battery, now)) live.push_back(battery);
    std::ranges::sort(live, {}, &Battery::first_seen);
    return live;
}

} // namespace meteremu::ct002
