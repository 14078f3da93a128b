// SPDX-License-Identifier: MIT
// What the CT002 frontend's tests share: its options, a reading, and a battery polling the
// frontend behind its real UDP server on loopback.
#pragma once

#include "frontends/ct002/ct002_frame.hpp"
#include "frontends/ct002/ct002_frontend.hpp"
#include "support/meter_servers.hpp"
#include "support/udp_client.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meteremu::test {

inline constexpr MacAddress kCtMac{0x02, 0xb2, 0x50, 0xa1, 0xb2, 0xc3};

inline std::shared_ptr<Ct002Options> Options(bool with_mac = true,
                                             Ct002Mode mode = Ct002Mode::Auto) {
    auto options = std::make_shared<Ct002Options>();
    if (with_mac) options->ct_macs = {kCtMac};
    options->mode = mode;
    return options;
}

inline Reading MakeReading(double a, double b, double c) {
    Reading r;
    r[meteremu::Phase::A] = {230.0, 2.0, a, 460.0, 0.9, 50.0, 1000.0, 0.0};
    r[meteremu::Phase::B] = {230.0, 1.0, b, 230.0, 0.9, 50.0, 1000.0, 0.0};
    r[meteremu::Phase::C] = {230.0, 0.5, c, 115.0, 0.9, 50.0, 1000.0, 0.0};
    r.received_at = std::chrono::steady_clock::now();
    return r;
}

/// A battery: its own socket, its polls, the fields of each reply.
struct CtBattery {
    CtBattery(const MeterServers& servers, std::string battery_mac)
        : port(servers.bundle->UdpPorts().at(0)), mac(std::move(battery_mac)) {}

    std::optional<std::vector<std::string>> Poll(ct002::Phase phase, std::int32_t power,
                                                 std::string_view ct_mac = "02b250a1b2c3",
                                                 std::string_view type = "HMG-50") {
        using namespace std::chrono_literals;
        ct002::Request request{type, mac, "HME-4", ct_mac, phase, power, true};
        if (!socket.Send("127.0.0.1", port, ct002::BuildRequest(request))) return std::nullopt;
        auto reply = socket.Receive(500ms);
        if (!reply) return std::nullopt;
        raw = reply->text;
        auto fields = ct002::ParseFrame(reply->text);
        if (!fields) return std::vector<std::string>{"unparsable: " + reply->text};
        return std::vector<std::string>(fields->values.begin(),
                                        fields->values.begin() + fields->count);
    }

    UdpClient socket{"127.0.0.1"};
    std::uint16_t port;
    std::string mac;
    std::string raw; ///< the latest reply's datagram
};

} // namespace meteremu::test
