// SPDX-License-Identifier: MIT
// An emulated meter: it answers its clients from the latest reading in MeterState, in its
// own dialect, and tells the transports the few things that are its own.
// A frontend is a plugin listed once in frontends/registry.cpp; the plugin declares which
// transports a device of its type serves (FrontendTransports),
// and the daemon builds them for every configured device (daemon/frontend_bundle.hpp).
#pragma once

#include "core/meter_state.hpp"
#include "frontends/jsonrpc/rpc.hpp"
#include "frontends/jsonrpc/rpc_http.hpp"
#include "platform/mdns_service.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace meteremu {

class ConfigSection;
class DatagramHandler;

/// A plugin's parsed and validated keys. Each frontend derives its own.
struct FrontendOptions {
    virtual ~FrontendOptions() = default;
    /// The UDP ports these options listen on when the configuration names none, where they
    /// differ from the plugin's (FrontendPlugin::defaults): a model's own. nullopt: the plugin's.
    virtual std::optional<std::vector<std::uint16_t>> DefaultUdpPorts() const {
        return std::nullopt;
    }
};

struct FrontendContext {
    const MeterState& state;
    SteadyTime started_at;
    /// Which device of its type this is, in the order of the configuration (0: the first):
    /// what tells apart the identities a plugin derives (FrontendSettings::ordinal).
    std::uint32_t ordinal = 0;
};

/// An emulated device. What it speaks is its own: a JSON-RPC device derives JsonRpcFrontend,
/// a device with a binary protocol answers through the datagram handler its plugin builds
/// (FrontendTransports::datagram_handler), which reaches it through FrontendSource.
class Frontend {
public:
    virtual ~Frontend() = default;

    /// One line for logs, e.g. "Shelly Pro 3EM shellypro3em-0aa1b2c3d4e5".
    virtual std::string Describe() const = 0;

    /// The DNS-SD services the emulated device announces over mDNS when its HTTP server
    /// listens on `http_port` (the real socket's port). None by default.
    virtual std::vector<MdnsService> MdnsServices(std::uint16_t /*http_port*/) const { return {}; }

    /// The device's JSON-RPC face (HTTP /rpc, the WebSocket, Shelly UDP frames), or null for a
    /// device that speaks none. Points into this frontend.
    virtual RpcHandler* JsonRpc() noexcept { return nullptr; }

    /// What answers its HTTP port, built once per frontend; `websocket` takes upgrades when the
    /// plugin serves a WebSocket. Null (the default): every path answers 404.
    virtual std::unique_ptr<HttpHandler> MakeHttpHandler(HttpUpgradeHandler* /*websocket*/) {
        return nullptr;
    }

    /// A path the watchdog's liveness probe may ask (any HTTP answer counts as alive).
    virtual std::string HttpProbePath() const { return "/"; }
};

/// A device that speaks the Shelly Gen2 JSON-RPC dialect on every transport (frontends/jsonrpc/).
class JsonRpcFrontend : public Frontend, public RpcHandler {
public:
    /// Value of the HTTP "Server" header, e.g. "ShellyHTTP/1.0.0".
    virtual std::string_view HttpServerName() const noexcept = 0;

    /// Fixed HTTP paths that answer like an RPC method.
    virtual std::vector<HttpAlias> HttpAliases() const = 0;

    RpcHandler* JsonRpc() noexcept final { return this; }
    /// RPCs over GET and POST, the aliases, WebSocket upgrades of /rpc.
    std::unique_ptr<HttpHandler> MakeHttpHandler(HttpUpgradeHandler* websocket) final {
        return std::make_unique<RpcHttpHandler>(*this, std::string(HttpServerName()), HttpAliases(),
                                                websocket);
    }

    /// The first alias: a request the device answers cheaply.
    std::string HttpProbePath() const final {
        std::vector<HttpAlias> aliases = HttpAliases();
        return aliases.empty() ? "/" : std::string(aliases.front().path);
    }
};

/// Who answers the next request, held by the request until its reply left: the daemon's
/// FrontendSlot, so a reload never mixes two devices in one reply. A plugin's datagram
/// handler asks it once per datagram.
class FrontendSource : public RpcHandlerSource {
public:
    /// Never null. Cheap: a reference count, no allocation.
    virtual std::shared_ptr<Frontend> CurrentFrontend() noexcept = 0;
};

/// The ports a device of this kind listens on when its configuration names none: those of
/// the real device, which its clients expect.
struct FrontendDefaults {
    std::uint16_t http_port = 0;                ///< 0: an ephemeral port
    std::span<const std::uint16_t> udp_ports{}; ///< empty: no UDP
};

/// What a device of one type serves, as its plugin declares it; the daemon builds these
/// servers for every configured device of the type (daemon/frontend_bundle.hpp). HTTP is
/// always served, by the frontend's MakeHttpHandler.
struct FrontendTransports {
    /// WebSocket upgrades of GET /rpc, answered as JSON-RPC, with the frontend's pushes; only
    /// for a JsonRpcFrontend.
    bool websocket = false;
    /// Builds the handler of the frontend's UDP ports over `frontends`, which hands out the
    /// frontend as it is at each datagram (it survives reloads): JSON-RPC frames for the Shelly
    /// (over its RpcHandlerSource face), a binary codec for a device that speaks one (over
    /// CurrentFrontend, cast to the plugin's own type). Null: the device has no UDP.
    std::unique_ptr<DatagramHandler> (*datagram_handler)(FrontendSource& frontends) = nullptr;
};

struct FrontendPlugin {
    std::string_view name;
    std::unique_ptr<FrontendOptions> (*parse)(ConfigSection& section);
    std::unique_ptr<Frontend> (*create)(const FrontendOptions& options,
                                        const FrontendContext& context);
    FrontendDefaults defaults{};
    /// What every device of this type serves.
    FrontendTransports (*transports)() = nullptr;
};

const FrontendPlugin* FindFrontendPlugin(std::string_view name) noexcept;
/// In the order of frontends/registry.cpp; the first is the type of a frontend that names none.
std::vector<std::string_view> FrontendPluginNames();

} // namespace meteremu
