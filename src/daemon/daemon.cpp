// SPDX-License-Identifier: MIT
#include "daemon/daemon.hpp"

#include "build_config.hpp"
#include "daemon/mdns_log.hpp"
#include "platform/resource_limits.hpp"

#include <cstdlib>

namespace meteremu {
namespace {

constexpr log::Domain kDomain{"daemon"};

/// Descriptors besides the clients': listening sockets, epoll and event fds, the journal,
/// Avahi, the backend's connection, with room to spare.
constexpr std::uint64_t kOwnDescriptors = 64;

std::string AddressList(const std::vector<UniqueFd>& sockets) {
    std::string text;
    for (const auto& socket : sockets)
        text += (text.empty() ? "" : ", ") + LocalAddressText(socket.Get());
    return text;
}

} // namespace

std::filesystem::path StateDirectory() {
    // systemd's StateDirectory= passes the path; the first entry is ours.
    if (const char* from_systemd = std::getenv("STATE_DIRECTORY")) {
        std::string_view paths = from_systemd;
        return std::filesystem::path(paths.substr(0, paths.find(':')));
    }
    return build::kDefaultStateDirectory;
}

Daemon::Daemon(Config config, std::optional<log::Level> log_level_override)
    : config_(std::move(config)), log_level_override_(log_level_override),
      started_at_(std::chrono::steady_clock::now()),
      client_filter_(config_.frontends.front().limits.allow) {}

Daemon::~Daemon() {
    Stop();
}

Daemon::Listeners Daemon::AcquireListeners(systemd::PassedSockets passed) const {
    Listeners listeners;
    if (!passed.Empty()) {
        log::Info(kDomain, "using the sockets systemd passed: HTTP ",
                  LocalAddressText(passed.http.Get()), passed.udp.empty() ? "" : ", UDP ",
                  AddressList(passed.udp));
        listeners.http = std::move(passed.http);
        listeners.udp = std::move(passed.udp);
        return listeners;
    }
    const auto& listen = config_.frontends.front().listen;
    listeners.http = BindSocket(SocketKind::Stream, listen.address, listen.http_port);
    for (std::uint16_t port : listen.udp_ports)
        listeners.udp.push_back(BindSocket(SocketKind::Datagram, listen.address, port));
    return listeners;
}

std::unique_ptr<Frontend> Daemon::CreateFrontend(const Config& config) const {
    const FrontendSettings& frontend = config.frontends.front();
    return frontend.plugin->create(*frontend.options, {*state_, started_at_});
}

std::unique_ptr<Backend> Daemon::CreateBackend(const Config& config) {
    const auto& settings = config.backend;
    BackendContext context{*state_, settings.poll_interval, poller_heartbeat_, StateDirectory()};
    try {
        return settings.plugin->create(*settings.options, context);
    } catch (...) {
        std::throw_with_nested(
            std::runtime_error("cannot create the " + settings.type + " backend"));
    }
}

void Daemon::RaiseFileLimit() const {
    const HttpLimits& http = config_.frontends.front().limits.http;
    std::uint64_t wanted = http.max_connections + http.max_upgraded + kOwnDescriptors;
    std::uint64_t got = RaiseOpenFileLimit(wanted);
    if (got < wanted)
        log::Warning(kDomain, "the open-file limit is ", got, " but max_connections and ",
                     "max_websocket_clients need about ", wanted,
                     ": clients past it are refused; raise LimitNOFILE=");
}

void Daemon::StartServing(Listeners listeners) {
    log::Notice(kDomain, "meteremu ", build::kVersion, " starting with ", config_.source);
    RaiseFileLimit();
    const TransportLimits& limits = config_.frontends.front().limits;
    state_ = std::make_unique<MeterState>(config_.frontends.front().layout, config_.Freshness());
    frontend_ = std::make_unique<FrontendSlot>(CreateFrontend(config_));
    log::Info(kDomain, "emulating ", frontend_->Describe());
    rpc_websocket_ = std::make_unique<RpcWebSocket>(*frontend_);
    websocket_ = std::make_unique<WebSocketServer>(*rpc_websocket_, limits.websocket, &clients_,
                                                   &client_filter_);
    frontend_->ServeWebSocket(*websocket_);
    http_ = std::make_unique<HttpServer>(std::move(listeners.http), *frontend_, limits.http,
                                         &clients_, &client_filter_);
    log::Notice(kDomain, "serving HTTP on ", http_->Address());
    log::Info(kDomain, "libmicrohttpd: ", http_->Describe());
    // The backend thread only wakes the WebSocket thread, which does the pushing.
    push_subscription_ = state_->Subscribe([websocket = websocket_.get()] { websocket->Push(); });
    StartUdp(std::move(listeners.udp));
    PublishMdns();
}

void Daemon::StartUdp(std::vector<UniqueFd> sockets) {
    if (sockets.empty()) return;
    // The slot is an RpcHandler that survives reloads, like the HTTP handler.
    rpc_udp_ = std::make_unique<RpcUdpHandler>(*frontend_);
    udp_ = std::make_unique<UdpServer>(std::move(sockets), *rpc_udp_,
                                       config_.frontends.front().limits.udp, &clients_,
                                       &client_filter_);
    for (const std::string& address : udp_->Addresses())
        log::Notice(kDomain, "serving UDP on ", address);
}

void Daemon::StartPolling() {
    backend_ = CreateBackend(config_);
    try {
        backend_->Start();
    } catch (...) {
        std::throw_with_nested(
            std::runtime_error("cannot start the " + config_.backend.type + " backend"));
    }
    log::Info(kDomain, "polling ", backend_->Describe(), " every ",
              config_.backend.poll_interval.count(), " s");
}

void Daemon::PublishMdns() {
    if (!config_.frontends.front().mdns) {
        mdns_.reset();
        return;
    }
    // The port of the socket really served, never the configured one (systemd may pass it).
    auto services = frontend_->MdnsServices(http_->Port());
    if (mdns_)
        mdns_->Update(std::move(services));
    else
        mdns_ = std::make_unique<MdnsPublisher>(
            std::move(services), AddressWithoutPort(http_->Address()), &LogMdnsReport);
}

void Daemon::Stop() noexcept {
    mdns_.reset(); // withdrawn before the server it points to goes away
    if (backend_) backend_->Stop();
    backend_.reset();
    push_subscription_.Reset();
    udp_.reset();
    rpc_udp_.reset();
    // WebSocket connections close through libmicrohttpd: before the HTTP server stops.
    if (websocket_) websocket_->Stop();
    http_.reset();
    websocket_.reset();
    rpc_websocket_.reset();
    frontend_.reset();
}

StatusInputs Daemon::Status(SteadyTime now) const {
    StatusInputs inputs;
    if (state_) {
        inputs.latest = state_->Latest();
        inputs.policy = state_->Policy();
    }
    inputs.health = backend_ ? backend_->Health() : "starting";
    inputs.clients = clients_.Count(now);
    return inputs;
}

std::vector<std::pair<std::string, const Heartbeat*>> Daemon::Heartbeats() const {
    std::vector<std::pair<std::string, const Heartbeat*>> beats{{"poller", &poller_heartbeat_}};
    if (websocket_) beats.emplace_back("websocket", &websocket_->LoopHeartbeat());
    if (udp_)
        for (auto& beat : udp_->LoopHeartbeats())
            beats.push_back(std::move(beat));
    return beats;
}

HttpProbe Daemon::MakeHttpProbe() const {
    return HttpProbe(ReachableLocally(http_->LocalAddress()), frontend_->ProbePath());
}

} // namespace meteremu
