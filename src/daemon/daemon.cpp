// SPDX-License-Identifier: MIT
#include "daemon/daemon.hpp"

#include "build_config.hpp"
#include "daemon/meter_bus_glue.hpp"
#include "daemon/passed_sockets.hpp"
#include "platform/resource_limits.hpp"

#include <algorithm>
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

/// "HTTP [::]:80, UDP [::]:1010, [::]:2220", for what is there.
std::string PassedText(const FrontendListeners& listeners) {
    std::string text;
    if (listeners.http.Valid()) text = "HTTP " + LocalAddressText(listeners.http.Get());
    if (!listeners.udp.empty())
        text += (text.empty() ? "UDP " : ", UDP ") + AddressList(listeners.udp);
    return text;
}

/// Binds what `listen` configures and systemd did not pass: the HTTP port when no TCP socket
/// came, each UDP port no passed UDP socket has. Port 0 (any port) is served by any passed
/// socket of its kind.
void BindMissing(const ListenSettings& listen, FrontendListeners& listeners) {
    bool udp_passed = !listeners.udp.empty();
    std::vector<std::uint16_t> passed_ports;
    for (const UniqueFd& socket : listeners.udp)
        passed_ports.push_back(LocalPort(socket.Get()));
    if (!listeners.http.Valid())
        listeners.http = BindSocket(SocketKind::Stream, listen.address, listen.http_port);
    for (std::uint16_t port : listen.udp_ports) {
        bool served = port == 0 ? udp_passed
                                : std::find(passed_ports.begin(), passed_ports.end(), port) !=
                                      passed_ports.end();
        if (!served)
            listeners.udp.push_back(BindSocket(SocketKind::Datagram, listen.address, port));
    }
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
      started_at_(std::chrono::steady_clock::now()) {}

Daemon::~Daemon() {
    Stop();
}

std::string Daemon::FrontendName(const Config& config, std::size_t index) {
    const FrontendSettings& frontend = config.frontends.at(index);
    return frontend.ordinal == 0 ? frontend.type
                                 : frontend.type + std::to_string(frontend.ordinal + 1);
}

std::vector<FrontendListeners> Daemon::AcquireListeners(systemd::PassedSockets passed) const {
    std::vector<std::string> names;
    for (std::size_t i = 0; i < config_.frontends.size(); ++i)
        names.push_back(FrontendName(config_, i));
    std::vector<FrontendListeners> listeners = AssignPassedSockets(std::move(passed), names);
    for (std::size_t i = 0; i < listeners.size(); ++i) {
        if (listeners[i].http.Valid() || !listeners[i].udp.empty())
            log::Info(kDomain, names[i],
                      ": using the sockets systemd passed: ", PassedText(listeners[i]));
        BindMissing(config_.frontends[i].listen, listeners[i]);
    }
    return listeners;
}

std::unique_ptr<Backend> Daemon::CreateBackend(const Config& config) {
    const auto& settings = config.backend;
    BackendContext context{*readings_, settings.poll_interval, poller_heartbeat_, StateDirectory()};
    try {
        return settings.plugin->create(*settings.options, context);
    } catch (...) {
        std::throw_with_nested(
            std::runtime_error("cannot create the " + settings.type + " backend"));
    }
}

void Daemon::RaiseFileLimit() const {
    std::uint64_t wanted = kOwnDescriptors;
    for (const FrontendSettings& frontend : config_.frontends)
        wanted += frontend.limits.http.max_connections + frontend.limits.http.max_upgraded +
                  frontend.listen.udp_ports.size();
    std::uint64_t got = RaiseOpenFileLimit(wanted);
    if (got < wanted)
        log::Warning(kDomain, "the open-file limit is ", got, " but max_connections and ",
                     "max_websocket_clients need about ", wanted,
                     ": clients past it are refused; raise LimitNOFILE=");
}

void Daemon::StartServing(std::vector<FrontendListeners> listeners) {
    log::Notice(kDomain, "meteremu ", build::kVersion, " starting with ", config_.source);
    RaiseFileLimit();
    // The backend's readings as measured: each frontend applies its own layout and policy.
    readings_ = std::make_unique<MeterState>(
        SiteLayout{}, FreshnessPolicy{config_.backend.stale_after, OnStale::Last});
    status_page_.SetEnabled(config_.status.enabled); // before a server answers its paths
    // A document ("starting", no frontend yet) before any server answers the paths: a
    // request right after the log says the page is served gets it, not 503.
    PublishStatus(std::chrono::steady_clock::now(), true);
    ApplyStatusServer(true);
    ApplyBus();
    for (std::size_t i = 0; i < config_.frontends.size(); ++i)
        bundles_.push_back(std::make_unique<FrontendBundle>(
            FrontendName(config_, i), config_.frontends[i], config_.backend.stale_after,
            std::move(listeners.at(i)), started_at_, &clients_, &status_page_));
    fan_out_ = readings_->Subscribe([this] { FanOut(); });
}

void Daemon::FanOut() noexcept try {
    std::shared_ptr<const Reading> reading = readings_->Latest();
    if (!reading) return;
    for (auto& bundle : bundles_)
        bundle->State().Publish(*reading);
} catch (const std::exception& error) {
    log::Error(kDomain, "cannot hand a reading to the frontends: ", error.what());
}

void Daemon::StartPolling() {
    backend_ = CreateBackend(config_);
    try {
        backend_->Start();
    } catch (...) {
        std::throw_with_nested(
            std::runtime_error("cannot start the " + config_.backend.type + " backend"));
    }
    if (backend_->Pushes())
        log::Info(kDomain, "reading ", backend_->Describe(), " as it sends");
    else
        log::Info(kDomain, "polling ", backend_->Describe(), " every ",
                  config_.backend.poll_interval.count(), " s");
}

void Daemon::Stop() noexcept {
    bus_.reset(); // first off the bus: `meteremu status` then says the daemon is not running
    status_server_.reset();
    for (auto& bundle : bundles_)
        bundle->Stop(); // mDNS withdrawn and every port closed before the backend stops
    if (backend_) backend_->Stop();
    backend_.reset();
    fan_out_.Reset();
    bundles_.clear();
}

StatusInputs Daemon::Status(SteadyTime now) const {
    StatusInputs inputs;
    if (readings_) inputs.latest = readings_->Latest();
    inputs.stale_after = config_.backend.stale_after;
    for (const auto& bundle : bundles_) {
        OnStale mode = bundle->State().Policy().on_stale;
        if (std::ranges::find(inputs.on_stale, mode) == inputs.on_stale.end())
            inputs.on_stale.push_back(mode);
    }
    inputs.health = backend_ ? backend_->Health() : "starting";
    inputs.clients = clients_.Count(now);
    return inputs;
}

void Daemon::ReportClients(SteadyTime now) {
    client_log_.Report(clients_.TakeEvents(now), now);
}

namespace {

/// What a poll gets now: every frontend serves the source's `latest` reading under the
/// source's stale_after and its own on_stale. Told from the daemon's own copies, not the
/// frontend's state, which the requests read.
std::string_view Serving(const Reading* latest, Seconds stale_after, OnStale on_stale,
                         SteadyTime now) {
    if (!latest) return "waiting";
    if (now - latest->received_at <= stale_after) return "fresh";
    switch (on_stale) {
    case OnStale::Silent:
        return "withheld";
    case OnStale::Zero:
        return "zeroed";
    case OnStale::Last:
        return "last";
    }
    return "?";
}

} // namespace

std::vector<StatusFacts::Frontend> Daemon::FrontendFacts(const Reading* latest,
                                                         SteadyTime now) const {
    std::vector<StatusFacts::Frontend> facts;
    for (const auto& bundle : bundles_) {
        OnStale on_stale = bundle->Settings().on_stale;
        auto [mdns_state, mdns_detail] = bundle->MdnsStatus();
        facts.push_back({bundle->Name(), bundle->Settings().type, bundle->Describe(),
                         bundle->HttpPort(), bundle->UdpPorts(), std::string(OnStaleName(on_stale)),
                         std::string(Serving(latest, config_.backend.stale_after, on_stale, now)),
                         bundle->UdpTotals(), bundle->WebSocketClients(),
                         // Only the page shows the protocol's details: none for the bus alone.
                         config_.status.enabled ? bundle->UdpStatusJson(now) : std::string(),
                         std::move(mdns_state), std::move(mdns_detail), bundle->HttpConnections()});
    }
    return facts;
}

void Daemon::PublishStatus(SteadyTime now, bool starting) {
    std::shared_ptr<const Reading> latest = readings_ ? readings_->Latest() : nullptr;
    bool fresh = latest && now - latest->received_at <= config_.backend.stale_after;
    if (!starting) history_.Add(fresh ? latest.get() : nullptr);
    if (!config_.status.enabled && !bus_) return;
    StatusFacts facts;
    facts.now = now;
    facts.version = build::kVersion;
    facts.uptime = now - started_at_;
    facts.config_file = config_.source;
    facts.reading = latest;
    facts.stale_after = config_.backend.stale_after;
    facts.source_describe = backend_ ? backend_->Describe() : "starting";
    facts.source_health = backend_ ? backend_->Health() : "starting";
    if (backend_) facts.source = backend_->Facts();
    // The plugin's name is the source's kind, whatever the backend knows of itself.
    if (facts.source.kind.empty()) facts.source.kind = config_.backend.type;
    facts.frontends = FrontendFacts(latest.get(), now);
    facts.clients_last_minute = clients_.Count(now);
    if (bus_) {
        LogBusReports(bus_->TakeReports());
        bus_->Publish(BusFactsOf(facts, std::chrono::system_clock::now()));
    }
    if (!config_.status.enabled) return;
    facts.history = history_.Points();
    facts.clients = clients_.Recent(now, std::chrono::minutes(10));
    facts.requests = clients_.RequestCounts();
    facts.client_notes_lost = clients_.NotesLost();
    status_page_.Publish(RenderStatusJson(facts), RenderMetrics(facts));
}

/// On when [status] dbus is (again), off when it is not; a daemon that found no bus tries
/// again at each reload.
void Daemon::ApplyBus() {
    if (!config_.status.dbus) {
        bus_.reset();
        return;
    }
    if (bus_ && !bus_->Failed()) return;
    bus_.reset();
    bus_ = std::make_unique<MeterBus>(MeterBusFacts{});
}

void Daemon::ApplyStatusServer(bool starting) {
    const std::optional<ListenSettings>& wanted = config_.status.listen;
    if (!wanted) {
        status_page_.SetOwnPort(false);
        if (!status_server_) return;
        status_server_.reset();
        log::Notice(kDomain, "status page back on every frontend's HTTP port");
        return;
    }
    if (status_server_ && status_server_->Listen() == *wanted) {
        status_server_->ApplyAllow(config_.status.allow);
        return;
    }
    // The same port on another address would collide with the server being replaced.
    if (status_server_ && status_server_->Listen().http_port == wanted->http_port)
        status_server_.reset();
    try {
        status_server_ =
            std::make_unique<StatusServer>(*wanted, config_.status.allow, status_page_);
    } catch (const std::exception& error) {
        if (starting) throw;
        log::Error(kDomain, "status page: " + log::DescribeException(error) +
                                (status_server_ ? "; it stays on " + status_server_->Address()
                                                : "; it stays on every frontend's HTTP port"));
        status_page_.SetOwnPort(status_server_ != nullptr);
        return;
    }
    status_page_.SetOwnPort(true);
    log::Notice(kDomain, "serving the status page on " + status_server_->Address() +
                             " (/, /status.json, /metrics)");
}

std::vector<std::pair<std::string, const Heartbeat*>> Daemon::Heartbeats() const {
    std::vector<std::pair<std::string, const Heartbeat*>> beats{{"poller", &poller_heartbeat_}};
    for (const auto& bundle : bundles_)
        for (auto& beat : bundle->Heartbeats())
            beats.push_back(std::move(beat));
    return beats;
}

std::vector<std::pair<std::string, HttpProbe>> Daemon::MakeHttpProbes() const {
    std::vector<std::pair<std::string, HttpProbe>> probes;
    for (const auto& bundle : bundles_)
        probes.emplace_back(bundle->Name() + ": HTTP server", bundle->MakeHttpProbe());
    return probes;
}

} // namespace meteremu
