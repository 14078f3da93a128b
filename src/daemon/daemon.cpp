// SPDX-License-Identifier: MIT
#include "daemon/daemon.hpp"

#include "build_config.hpp"
#include "daemon/signals.hpp"
#include "platform/log.hpp"

#include <csignal>
#include <cstdlib>

namespace meteremu {
namespace {

constexpr log::Domain kDomain{"daemon"};

std::filesystem::path StateDirectory() {
    // systemd's StateDirectory= passes the path; the first entry is ours.
    if (const char* from_systemd = std::getenv("STATE_DIRECTORY")) {
        std::string_view paths = from_systemd;
        return std::filesystem::path(paths.substr(0, paths.find(':')));
    }
    return build::kDefaultStateDirectory;
}

} // namespace

Daemon::Daemon(Config config)
    : config_(std::move(config)), started_at_(std::chrono::steady_clock::now()) {}

Daemon::~Daemon() {
    Stop();
}

Daemon::Listeners Daemon::AcquireListeners() const {
    const auto& listen = config_.frontend.listen;
    Listeners listeners;
    listeners.http = BindSocket(SocketKind::Stream, listen.address, listen.http_port);
    for (std::uint16_t port : listen.udp_ports)
        listeners.udp.push_back(BindSocket(SocketKind::Datagram, listen.address, port));
    return listeners;
}

void Daemon::StartServers(Listeners listeners) {
    rpc_ = std::make_unique<RpcHandlerSlot>(frontend_);
    rpc_websocket_ = std::make_unique<RpcWebSocket>(*rpc_);
    websocket_ = std::make_unique<WebSocketServer>(*rpc_websocket_);
    rpc_http_ = std::make_unique<RpcHttpHandler>(*rpc_, std::string(frontend_->HttpServerName()),
                                                 frontend_->HttpAliases(), websocket_.get());
    http_ = std::make_unique<HttpServer>(std::move(listeners.http), *rpc_http_);
    log::Notice(kDomain, "serving HTTP on ", http_->Address());
    push_subscription_ = state_->Subscribe([websocket = websocket_.get()] { websocket->Push(); });
    if (listeners.udp.empty()) return;
    rpc_udp_ = std::make_unique<RpcUdpHandler>(*rpc_);
    udp_ = std::make_unique<UdpServer>(std::move(listeners.udp), *rpc_udp_);
    for (const std::string& address : udp_->Addresses())
        log::Notice(kDomain, "serving UDP on ", address);
}

void Daemon::StartBackend() {
    const auto& settings = config_.backend;
    BackendContext context{*state_, settings.poll_interval, poller_heartbeat_, StateDirectory()};
    try {
        backend_ = settings.plugin->create(*settings.options, context);
        backend_->Start();
    } catch (...) {
        std::throw_with_nested(
            std::runtime_error("cannot start the " + settings.type + " backend"));
    }
    log::Info(kDomain, "polling ", backend_->Describe(), " every ", settings.poll_interval.count(),
              " s");
}

void Daemon::Start() {
    log::Notice(kDomain, "meteremu ", build::kVersion, " starting with ", config_.source);
    state_ = std::make_unique<MeterState>(config_.frontend.layout, config_.Freshness());
    frontend_ = config_.frontend.plugin->create(*config_.frontend.options, {*state_, started_at_});
    log::Info(kDomain, "emulating ", frontend_->Describe());
    StartServers(AcquireListeners());
    StartBackend();
}

int Daemon::Run() {
    for (;;) {
        int signal = WaitForSignal();
        if (signal == SIGHUP) {
            log::Notice(kDomain, "SIGHUP: reloading is not supported yet; restart to apply "
                                 "configuration changes");
            continue;
        }
        log::Notice(kDomain, signal == SIGINT ? "SIGINT" : "SIGTERM", ": stopping");
        Stop();
        return EXIT_SUCCESS;
    }
}

void Daemon::Stop() noexcept {
    if (backend_) backend_->Stop();
    backend_.reset();
    push_subscription_.Reset();
    udp_.reset();
    rpc_udp_.reset();
    // WebSocket connections close through libmicrohttpd: before the HTTP server stops.
    if (websocket_) websocket_->Stop();
    http_.reset();
    rpc_http_.reset();
    websocket_.reset();
    rpc_websocket_.reset();
    rpc_.reset();
    frontend_.reset();
}

} // namespace meteremu
