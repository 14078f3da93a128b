// SPDX-License-Identifier: MIT
#include "daemon/daemon.hpp"

#include "build_config.hpp"
#include "daemon/mdns_log.hpp"

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

std::string AddressList(const std::vector<UniqueFd>& sockets) {
    std::string text;
    for (const auto& socket : sockets)
        text += (text.empty() ? "" : ", ") + LocalAddressText(socket.Get());
    return text;
}

} // namespace

Daemon::Daemon(Config config, std::optional<log::Level> log_level_override)
    : config_(std::move(config)), log_level_override_(log_level_override),
      started_at_(std::chrono::steady_clock::now()) {}

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
    const auto& listen = config_.frontend.listen;
    listeners.http = BindSocket(SocketKind::Stream, listen.address, listen.http_port);
    for (std::uint16_t port : listen.udp_ports)
        listeners.udp.push_back(BindSocket(SocketKind::Datagram, listen.address, port));
    return listeners;
}

std::unique_ptr<Frontend> Daemon::CreateFrontend(const Config& config) const {
    return config.frontend.plugin->create(*config.frontend.options, {*state_, started_at_});
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

void Daemon::StartServing(Listeners listeners) {
    log::Notice(kDomain, "meteremu ", build::kVersion, " starting with ", config_.source);
    state_ = std::make_unique<MeterState>(config_.frontend.layout, config_.Freshness());
    frontend_ = std::make_unique<FrontendSlot>(CreateFrontend(config_));
    log::Info(kDomain, "emulating ", frontend_->Describe());
    http_ = std::make_unique<HttpServer>(std::move(listeners.http), *frontend_, HttpLimits{},
                                         &clients_);
    log::Notice(kDomain, "serving HTTP on ", http_->Address());
    // The UDP RPC server (Shelly JSON-RPC over UDP, branch "shelly") takes these sockets:
    // construct it here with std::move(listeners.udp), *frontend_ (an RpcHandler that
    // survives reloads) and &clients_, and list its loop's heartbeat in Heartbeats().
    // Until then the sockets are held open, so socket activation and the ports stay as
    // they will be.
    udp_sockets_ = std::move(listeners.udp);
    if (!udp_sockets_.empty())
        log::Info(kDomain, "holding UDP sockets ", AddressList(udp_sockets_),
                  " (this build has no UDP RPC server yet)");
    PublishMdns();
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
    if (!config_.frontend.mdns) {
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
    http_.reset();
    udp_sockets_.clear();
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
    return {{"poller", &poller_heartbeat_}};
}

HttpProbe Daemon::MakeHttpProbe() const {
    return HttpProbe(ReachableLocally(http_->LocalAddress()), frontend_->ProbePath());
}

} // namespace meteremu
