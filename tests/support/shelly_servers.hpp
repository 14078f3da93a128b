// SPDX-License-Identifier: MIT
// The Shelly frontend behind a real libmicrohttpd server on an ephemeral loopback port, with
// the WebSocket upgrade on /rpc: the daemon's own FrontendBundle, without UDP or mDNS, for
// the tests of the HTTP and WebSocket servers and their limits.
#pragma once

#include "daemon/frontend_bundle.hpp"
#include "support/shelly.hpp"

#include <chrono>
#include <memory>
#include <utility>

namespace meteremu::test {

/// The settings of a Shelly with MAC `mac` on 127.0.0.1, HTTP on an ephemeral port, no UDP.
inline FrontendSettings ShellySettings(OnStale mode, const MacAddress& mac,
                                       shelly::Profile profile = shelly::Profile::Triphase) {
    auto options = std::make_shared<ShellyOptions>();
    options->mac = mac;
    options->profile = profile;
    FrontendSettings settings;
    settings.type = "shelly";
    settings.plugin = &shelly_frontend_plugin;
    settings.options = std::move(options);
    settings.on_stale = mode;
    settings.listen = {"127.0.0.1", 0, {}};
    settings.mdns = false;
    return settings;
}

struct ShellyServers {
    ShellyServers(OnStale mode, const WebSocketLimits& websocket_limits = {},
                  const HttpLimits& http_limits = {}) {
        FrontendSettings settings = ShellySettings(mode, {0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f});
        settings.limits.websocket = websocket_limits;
        settings.limits.http = http_limits;
        bundle = std::make_unique<FrontendBundle>("shelly", settings, std::chrono::seconds(10),
                                                  FrontendBundle::Bind(settings.listen),
                                                  std::chrono::steady_clock::now());
        state = &bundle->State();
    }

    ShellyServers(const ShellyServers&) = delete;
    ShellyServers& operator=(const ShellyServers&) = delete;

    std::uint16_t Port() const { return bundle->HttpPort(); }

    std::unique_ptr<FrontendBundle> bundle;
    MeterState* state = nullptr; ///< the bundle's: publish here
};

} // namespace meteremu::test
