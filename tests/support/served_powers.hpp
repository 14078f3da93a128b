// SPDX-License-Identifier: MIT
// What the tests of a push source (SMA multicast, a P1 port) do as a battery: ask
// EM.GetStatus over UDP and read the three phases' active power from the reply, until a
// sample shows; and how often a line appears in the daemon's log.
#pragma once

#include "support/udp_client.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <optional>
#include <regex>
#include <string>

namespace meteremu::test {

struct PhasePowers {
    double a = 0, b = 0, c = 0;

    /// Equal to 0.1 W, the resolution sources report in.
    bool Matches(const PhasePowers& other) const {
        return std::abs(a - other.a) < 0.05 && std::abs(b - other.b) < 0.05 &&
               std::abs(c - other.c) < 0.05;
    }
};

/// a_act_power, b_act_power and c_act_power of an EM.GetStatus reply; nullopt without them.
inline std::optional<PhasePowers> PowersIn(const std::string& reply) {
    static const std::regex pattern(
        R"re("a_act_power":(-?[0-9.]+)[\s\S]*"b_act_power":(-?[0-9.]+)[\s\S]*"c_act_power":(-?[0-9.]+))re");
    std::smatch match;
    if (!std::regex_search(reply, match, pattern)) return std::nullopt;
    return PhasePowers{std::stod(match[1]), std::stod(match[2]), std::stod(match[3])};
}

/// How many times `what` occurs in `text`.
inline std::size_t Occurrences(const std::string& text, const std::string& what) {
    std::size_t count = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        ++count;
    return count;
}

/// A battery polling the daemon's UDP port.
class BatteryPoller {
public:
    using Clock = std::chrono::steady_clock;

    BatteryPoller(std::unique_ptr<UdpClient> client, std::string address, std::uint16_t port)
        : client_(std::move(client)), address_(std::move(address)), port_(port) {}

    /// One EM.GetStatus: the reply, or nullopt when none came within `wait`.
    std::optional<std::string>
    Ask(std::chrono::milliseconds wait = std::chrono::milliseconds(300)) {
        EXPECT_TRUE(client_->Send(address_, port_,
                                  R"({"id":1,"method":"EM.GetStatus","params":{"id":0}})"));
        auto reply = client_->Receive(wait);
        if (!reply) return std::nullopt;
        return reply->text;
    }

    /// Asks until the served powers are `expected`; the time from `since` to the reply that
    /// carried them, or nullopt after `within`.
    std::optional<Clock::duration> ServedWithin(PhasePowers expected, Clock::time_point since,
                                                Clock::duration within) {
        for (int asked = 0; asked < 2000 && Clock::now() - since < within; ++asked) {
            // Short waits: before the first reading (on_stale = silent) no reply comes.
            auto reply = Ask(std::chrono::milliseconds(20));
            auto powers = reply ? PowersIn(*reply) : std::nullopt;
            if (powers && powers->Matches(expected)) return Clock::now() - since;
        }
        return std::nullopt;
    }

private:
    std::unique_ptr<UdpClient> client_;
    std::string address_;
    std::uint16_t port_;
};

} // namespace meteremu::test
