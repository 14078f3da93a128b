// SPDX-License-Identifier: MIT
// Which meter's datagrams count when several SMA devices talk on the same group: the one with
// the configured serial, or else the first one heard. Remembers whom it has turned away, so
// the caller logs each other meter once.
#pragma once

#include <cstdint>
#include <optional>
#include <set>

namespace meteremu::sma {

enum class Verdict {
    First,       ///< the meter in use, heard for the first time
    Use,         ///< the meter in use
    IgnoreFirst, ///< another meter, heard for the first time
    Ignore,      ///< another meter, already turned away
};

class MeterChoice {
public:
    explicit MeterChoice(std::optional<std::uint32_t> configured) noexcept
        : configured_(configured) {}

    Verdict Judge(std::uint32_t serial);

    /// The meter in use: the configured one, or the first heard; none before that.
    std::optional<std::uint32_t> Chosen() const noexcept { return chosen_ ? chosen_ : configured_; }

private:
    std::optional<std::uint32_t> configured_;
    std::optional<std::uint32_t> chosen_;
    std::set<std::uint32_t> ignored_;
};

} // namespace meteremu::sma
