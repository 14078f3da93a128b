// SPDX-License-Identifier: MIT
// Any frontend plugin behind its real servers (the daemon's own FrontendBundle) on ephemeral
// loopback ports, without mDNS: for the tests of the meters that are not the Pro 3EM.
// HTTP answers every poll (the sample gate's "repeat") unless a test asks otherwise.
#pragma once

#include "daemon/frontend_bundle.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <utility>

namespace meteremu::test {

struct MeterServers {
    MeterServers(const FrontendPlugin& plugin, std::shared_ptr<const FrontendOptions> options,
                 OnStale mode = OnStale::Silent, bool udp = false) {
        FrontendSettings settings;
        settings.type = std::string(plugin.name);
        settings.plugin = &plugin;
        settings.options = std::move(options);
        settings.on_stale = mode;
        settings.listen = {"127.0.0.1", 0, {}};
        if (udp) settings.listen.udp_ports = {0};
        settings.mdns = false;
        settings.gating.http.repeat = RepeatPolicy::Repeat;
        settings.gating.udp.repeat = RepeatPolicy::Repeat;
        bundle = std::make_unique<FrontendBundle>(settings.type, settings, std::chrono::seconds(10),
                                                  FrontendBundle::Bind(settings.listen),
                                                  std::chrono::steady_clock::now());
        state = &bundle->State();
    }

    MeterServers(const MeterServers&) = delete;
    MeterServers& operator=(const MeterServers&) = delete;

    std::string Url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(bundle->HttpPort()) + path;
    }

    std::unique_ptr<FrontendBundle> bundle;
    MeterState* state = nullptr; ///< the bundle's: publish here
};

} // namespace meteremu::test
