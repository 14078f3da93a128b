// SPDX-License-Identifier: MIT
#include "daemon/frontend_bundle.hpp"

#include "daemon/mdns_log.hpp"
#include "platform/log.hpp"

#include <stdexcept>

namespace meteremu {
namespace {

constexpr log::Domain kDomain{"daemon"};

FreshnessPolicy FreshnessOf(const FrontendSettings& settings, Seconds stale_after) {
    return {stale_after, settings.on_stale};
}

} // namespace

FrontendBundle::FrontendBundle(std::string name, const FrontendSettings& settings,
                               Seconds stale_after, FrontendListeners listeners,
                               SteadyTime started_at, ClientTracker* clients,
                               const StatusPage* status)
    : name_(std::move(name)), settings_(settings),
      transports_(settings.plugin->transports ? settings.plugin->transports()
                                              : FrontendTransports{}),
      clients_(clients), filter_(settings.limits.allow),
      state_(std::make_unique<MeterState>(settings.layout, FreshnessOf(settings, stale_after),
                                          settings.shaping)),
      udp_gate_(settings.gating.udp), http_gate_(settings.gating.http),
      websocket_gate_(settings.gating.websocket) {
    slot_ = std::make_unique<FrontendSlot>(
        settings_.plugin->create(*settings_.options, {*state_, started_at, settings_.ordinal}));
    describe_ = slot_->Describe();
    log::Info(kDomain, LogPrefix(), "emulating ", describe_);
    if (status) slot_->ServeStatus(*status);
    StartHttp(std::move(listeners.http));
    StartUdp(std::move(listeners.udp));
    PublishMdns();
}

FrontendBundle::~FrontendBundle() {
    Stop();
}

FrontendListeners FrontendBundle::Bind(const ListenSettings& listen) {
    FrontendListeners listeners;
    listeners.http = BindSocket(SocketKind::Stream, listen.address, listen.http_port);
    for (std::uint16_t port : listen.udp_ports)
        listeners.udp.push_back(BindSocket(SocketKind::Datagram, listen.address, port));
    return listeners;
}

std::string FrontendBundle::LogPrefix() const {
    return name_ + ": ";
}

void FrontendBundle::StartHttp(UniqueFd socket) {
    const TransportLimits& limits = settings_.limits;
    if (transports_.websocket) {
        if (!slot_->CurrentRpcHandler())
            throw std::logic_error(settings_.type + " declares a WebSocket but speaks no JSON-RPC");
        rpc_websocket_ = std::make_unique<RpcWebSocket>(*slot_);
        websocket_ = std::make_unique<WebSocketServer>(*rpc_websocket_, limits.websocket, clients_,
                                                       &filter_, &websocket_gate_);
        slot_->ServeWebSocket(*websocket_);
        // The backend's thread only wakes the WebSocket thread, which does the pushing.
        push_subscription_ =
            state_->Subscribe([websocket = websocket_.get()] { websocket->Push(); });
    }
    http_ = std::make_unique<HttpServer>(std::move(socket), *slot_, limits.http, clients_, &filter_,
                                         &http_gate_);
    // The backend's thread only wakes the hold thread of HTTP requests held for a new sample.
    http_subscription_ = state_->Subscribe([http = http_.get()] { http->SampleArrived(); });
    log::Notice(kDomain, LogPrefix(), "serving HTTP on ", http_->Address());
    log::Info(kDomain, LogPrefix(), "libmicrohttpd: ", http_->Describe());
}

void FrontendBundle::StartUdp(std::vector<UniqueFd> sockets) {
    if (sockets.empty()) return;
    if (!transports_.datagram_handler)
        throw std::runtime_error(name_ + " (type \"" + settings_.type +
                                 "\") serves no UDP, but has UDP sockets: remove its udp_ports "
                                 "or the datagram sockets passed for it");
    // The slot survives reloads, so the handler built over it does too.
    datagram_handler_ = transports_.datagram_handler(*slot_);
    udp_ = std::make_unique<UdpServer>(std::move(sockets), *datagram_handler_, settings_.limits.udp,
                                       clients_, &filter_, &udp_gate_);
    // The backend's thread only wakes the UDP threads that hold polls for a new sample.
    udp_subscription_ = state_->Subscribe([udp = udp_.get()] { udp->SampleArrived(); });
    for (const std::string& address : udp_->Addresses())
        log::Notice(kDomain, LogPrefix(), "serving UDP on ", address);
}

void FrontendBundle::PublishMdns() {
    if (!settings_.mdns) {
        mdns_.reset();
        std::lock_guard lock(mdns_mutex_);
        mdns_report_.reset();
        return;
    }
    // The port of the socket really served, never the configured one (systemd may pass it).
    auto services = slot_->MdnsServices(http_->Port());
    if (mdns_) {
        mdns_->Update(std::move(services));
        return;
    }
    // On the Avahi thread, with its lock held: a log line and a copy, nothing more.
    auto report = [this](const MdnsReport& latest) {
        LogMdnsReport(latest);
        try {
            std::lock_guard lock(mdns_mutex_);
            mdns_report_ = latest;
        } catch (...) {
            // Out of memory: the status page shows the report before.
        }
    };
    mdns_ = std::make_unique<MdnsPublisher>(std::move(services),
                                            AddressWithoutPort(http_->Address()), report);
}

std::pair<std::string, std::string> FrontendBundle::MdnsStatus() const {
    if (!settings_.mdns) return {"off", ""};
    std::lock_guard lock(mdns_mutex_);
    if (!mdns_report_) return {"starting", ""};
    return {std::string(MdnsEventName(mdns_report_->event)), mdns_report_->detail};
}

std::unique_ptr<Frontend> FrontendBundle::CreateFrontend(const FrontendSettings& next) const {
    return next.plugin->create(*next.options,
                               {*state_, std::chrono::steady_clock::now(), next.ordinal});
}

void FrontendBundle::WarnAboutRestartOnlyChanges(const FrontendSettings& next) const {
    const auto& now = settings_.listen;
    const auto& then = next.listen;
    if (now.address != then.address || now.http_port != then.http_port ||
        now.udp_ports != then.udp_ports || next.type != settings_.type)
        log::Warning(kDomain, LogPrefix(),
                     "type, listen_address, http_port and udp_ports take effect at the next "
                     "restart; the listening sockets stay open across a reload");
    TransportLimits limits = next.limits;
    limits.allow = settings_.limits.allow; // the one limit a reload applies
    if (limits != settings_.limits)
        log::Warning(kDomain, LogPrefix(),
                     "the connection, size, timeout and UDP rate limits take effect at "
                     "the next restart; the servers keep running with the old ones");
}

const FrontendSettings& FrontendBundle::Apply(const FrontendSettings& next, Seconds stale_after,
                                              std::unique_ptr<Frontend> frontend) {
    state_->Reconfigure(next.layout, FreshnessOf(next, stale_after), next.shaping);
    udp_gate_.SetPolicy(next.gating.udp);
    http_gate_.SetPolicy(next.gating.http);
    websocket_gate_.SetPolicy(next.gating.websocket);
    ApplyAllow(next.limits.allow);
    FrontendSettings applied = next;
    // The servers keep the type, ports and limits they started with; the settings say so.
    applied.type = settings_.type;
    applied.listen = settings_.listen;
    applied.limits = settings_.limits;
    applied.limits.allow = next.limits.allow;
    if (next.type != settings_.type) {
        applied.plugin = settings_.plugin;
        applied.options = settings_.options;
    } else {
        slot_->Replace(std::move(frontend));
        describe_ = slot_->Describe();
    }
    settings_ = std::move(applied);
    PublishMdns();
    return settings_;
}

void FrontendBundle::ApplyAllow(AllowList allow) {
    bool changed = allow != settings_.limits.allow;
    filter_.Replace(allow);
    settings_.limits.allow = std::move(allow);
    if (changed && websocket_) {
        // An established WebSocket would otherwise outlive its address's removal for days.
        log::Info(kDomain, LogPrefix(),
                  "closing the WebSocket clients the new allow list refuses (1008)");
        websocket_->EnforceFilter();
    }
}

std::string FrontendBundle::Describe() const {
    return describe_;
}

std::vector<std::uint16_t> FrontendBundle::UdpPorts() const {
    return udp_ ? udp_->Ports() : std::vector<std::uint16_t>{};
}

std::vector<std::pair<std::string, const Heartbeat*>> FrontendBundle::Heartbeats() const {
    std::vector<std::pair<std::string, const Heartbeat*>> beats;
    if (websocket_) beats.emplace_back(LogPrefix() + "websocket", &websocket_->LoopHeartbeat());
    if (udp_)
        for (auto& [name, beat] : udp_->LoopHeartbeats())
            beats.emplace_back(LogPrefix() + name, beat);
    return beats;
}

HttpProbe FrontendBundle::MakeHttpProbe() const {
    return HttpProbe(ReachableLocally(http_->LocalAddress()), slot_->ProbePath());
}

void FrontendBundle::Stop() noexcept {
    mdns_.reset(); // withdrawn before the server it points to goes away
    push_subscription_.Reset();
    udp_subscription_.Reset();
    http_subscription_.Reset();
    udp_.reset();
    datagram_handler_.reset();
    // WebSocket connections close through libmicrohttpd: before the HTTP server stops.
    if (websocket_) websocket_->Stop();
    http_.reset();
    websocket_.reset();
    rpc_websocket_.reset();
}

} // namespace meteremu
