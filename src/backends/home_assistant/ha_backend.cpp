// SPDX-License-Identifier: MIT
#include "backends/home_assistant/ha_backend.hpp"

#include "util/atomic_file.hpp"
#include "util/log_text.hpp"

#include <algorithm>
#include <cstdlib>

namespace meteremu::home_assistant {
namespace {

constexpr log::Domain kDomain{"home_assistant"};
constexpr Seconds kRequestTimeout{5.0};
/// The longest a connection may take from the handshake to the subscription's result.
constexpr Seconds kSetupTimeout{10.0};
constexpr Seconds kLongestPingPeriod{30.0};
constexpr Seconds kEnergySaveInterval{60.0};

/// The token: token, the first line of token_file, or the Supervisor's. Throws
/// std::runtime_error naming the file (never its content).
std::string ReadToken(const HomeAssistantOptions& options) {
    if (!options.token.empty()) return options.token;
    if (options.token_file.empty()) {
        const char* supervisor = std::getenv(kSupervisorTokenVariable);
        if (!supervisor || !*supervisor)
            throw std::runtime_error(std::string("no token: set token or token_file, or ") +
                                     kSupervisorTokenVariable);
        return supervisor;
    }
    std::optional<std::string> content;
    try {
        content = ReadSmallFile(options.token_file);
    } catch (const std::exception& error) {
        throw std::runtime_error("token_file: " + std::string(error.what()));
    }
    if (!content) throw std::runtime_error("token_file " + options.token_file + " does not exist");
    return content->substr(0, content->find_first_of("\r\n"));
}

std::string EntityName(const Entity& entity) {
    return entity.key + " \"" + entity.entity_id + "\"";
}

Seconds Elapsed(SteadyTime since, SteadyTime now) {
    return std::chrono::duration_cast<Seconds>(now - since);
}

} // namespace

Seconds PingPeriod(Seconds stale_after) noexcept {
    return std::min(kLongestPingPeriod, stale_after / 2);
}

HomeAssistantBackend::HomeAssistantBackend(const HomeAssistantOptions& options,
                                           const BackendContext& context)
    : options_(options), websocket_url_(WebSocketUrlOf(options.url)), state_(context.state),
      values_(options.entities, options.invert),
      energy_(context.state_directory / "home-assistant-energy.json",
              std::max(Seconds(10), context.state.Policy().stale_after)),
      link_log_(kDomain), entity_log_(kDomain), data_log_(kDomain),
      loop_("poll-ha", context.heartbeat) {}

HomeAssistantBackend::~HomeAssistantBackend() {
    Stop();
}

std::string HomeAssistantBackend::Describe() const {
    return "Home Assistant at " + options_.url;
}

void HomeAssistantBackend::Start() {
    token_ = ReadToken(options_);
    http_ = std::make_unique<HttpClient>(HttpClientOptions{});
    try {
        // The counters are kept per instance: another instance is another meter.
        energy_.Load(options_.url);
    } catch (const std::exception& error) {
        log::Warning(kDomain, "energy counters start from 0: ", error.what());
    }
    loop_.Start([this](std::stop_token stop) { return Step(stop); });
}

void HomeAssistantBackend::Stop() noexcept {
    loop_.Stop();
    socket_.reset();
    if (http_) SaveEnergy(std::chrono::steady_clock::now(), Seconds(0));
    phase_ = Phase::Down;
}

Seconds HomeAssistantBackend::Step(std::stop_token stop) {
    switch (phase_) {
    case Phase::Down:
        attempt_reported_ = false;
        if (seeded_) return Open(stop);
        phase_ = Phase::Seeding;
        seed_index_ = 0;
        [[fallthrough]];
    case Phase::Seeding:
        return SeedNext(stop);
    default:
        return Talk();
    }
}

// --- REST: one entity per step, so a slow instance holds the heartbeat for one request only.

Seconds HomeAssistantBackend::SeedNext(std::stop_token stop) {
    const Entity& entity = options_.entities[seed_index_];
    ClientRequest request;
    request.url = options_.url + "/api/states/" + entity.entity_id;
    request.timeout = kRequestTimeout;
    request.bearer = token_;
    ClientResponse response;
    try {
        response = http_->Perform(request, stop);
    } catch (const TransportError& error) {
        if (error.Failure() == TransportFailure::Cancelled) return Seconds(0);
        return LinkFailed("cannot reach " + Describe() + ": " + error.what(), "unreachable");
    }
    if (response.status == 401 || response.status == 403)
        return LinkFailed("auth refused by " + Describe() + " (HTTP " +
                              std::to_string(response.status) +
                              "): check the token (a long-lived access token)",
                          "auth refused");
    if (response.status == 404) return EntityUnknown(entity);
    if (response.status != 200)
        return LinkFailed(Describe() + " answered HTTP " + std::to_string(response.status) +
                              " for entity " + entity.entity_id,
                          "server error");
    SeedFrom(response, entity);
    if (++seed_index_ < options_.entities.size()) return Seconds(0);
    seeded_ = true;
    if (values_.Complete()) Publish();
    return Open(stop);
}

void HomeAssistantBackend::SeedFrom(const ClientResponse& response, const Entity& entity) {
    try {
        EntityUpdate update = ParseRestState(response.body);
        if (update.entity_id != entity.entity_id)
            throw MessageError("the state of " + LogText(update.entity_id) + ", not of " +
                               entity.entity_id);
        ApplyUpdates({update}, false);
    } catch (const MessageError& error) {
        data_log_.Failed("unparsable state of " + EntityName(entity) + " from " + Describe() +
                         ", ignored: " + error.what());
    }
}

// --- WebSocket

Seconds HomeAssistantBackend::Open(std::stop_token stop) {
    auto url = ParseWebSocketUrl(websocket_url_);
    if (!url) return LinkFailed("cannot use " + websocket_url_ + " as a WebSocket URL", "bad url");
    try {
        socket_ =
            std::make_unique<WebSocketClient>(*url, WebSocketClientOptions{kRequestTimeout}, stop);
    } catch (const WebSocketClientError& error) {
        using Kind = WebSocketClientError::Kind;
        if (error.GetKind() == Kind::Cancelled) return Seconds(0);
        if (error.Status() == 401 || error.Status() == 403)
            return LinkFailed("auth refused by " + Describe() + ": " + error.what(),
                              "auth refused");
        return LinkFailed("cannot reach " + Describe() + ": " + error.what(), "unreachable");
    }
    phase_ = Phase::AwaitAuthRequired;
    phase_started_ = std::chrono::steady_clock::now();
    next_id_ = 1;
    first_event_seen_ = false;
    if (!link_log_.Failing()) health_.Set(": connecting to " + options_.url);
    return Seconds(0);
}

Seconds HomeAssistantBackend::Talk() {
    bool was_live = phase_ == Phase::Live;
    try {
        if (auto text = socket_->Receive(
                std::chrono::duration_cast<std::chrono::milliseconds>(kHeartbeatPeriod)))
            HandleFrame(*text);
        auto now = std::chrono::steady_clock::now();
        if (phase_ == Phase::Live)
            KeepAlive(now);
        else if (phase_ != Phase::Down && Elapsed(phase_started_, now) > kSetupTimeout)
            return LinkFailed(Describe() + " did not finish the login and subscription in " +
                                  std::to_string(static_cast<int>(kSetupTimeout.count())) + " s",
                              "unreachable");
    } catch (const WebSocketClientError& error) {
        return LinkFailed((was_live ? "lost the connection to " : "cannot reach ") + Describe() +
                              ": " + error.what(),
                          was_live ? "connection lost" : "unreachable");
    }
    return phase_ == Phase::Down ? RetryWait() : Seconds(0);
}

void HomeAssistantBackend::Send(const std::string& message) {
    socket_->SendText(message);
}

void HomeAssistantBackend::HandleFrame(const std::string& text) {
    std::vector<ServerMessage> messages;
    try {
        messages = ParseServerMessages(text);
    } catch (const MessageError& error) {
        data_log_.Failed("unparsable message from " + Describe() + ", ignored: " + error.what());
        return;
    }
    for (const ServerMessage& message : messages) {
        if (phase_ == Phase::Down) return; // an earlier one ended the connection
        Handle(message);
    }
}

void HomeAssistantBackend::Handle(const ServerMessage& message) {
    using Type = ServerMessage::Type;
    switch (message.type) {
    case Type::AuthRequired:
        if (phase_ != Phase::AwaitAuthRequired) return;
        Send(AuthMessage(token_));
        phase_ = Phase::AwaitAuthOk;
        return;
    case Type::AuthOk:
        if (phase_ != Phase::AwaitAuthOk) return;
        subscribe_id_ = next_id_++;
        Send(SubscribeEntitiesMessage(subscribe_id_, values_.EntityIds()));
        phase_ = Phase::Subscribing;
        return;
    case Type::AuthInvalid:
        LinkFailed("auth refused by " + Describe() + " (" + message.error +
                       "): check the token (a long-lived access token)",
                   "auth refused");
        return;
    case Type::Result:
        if (message.id == subscribe_id_) Subscribed(message);
        return;
    case Type::Event:
        if (message.id == subscribe_id_ && phase_ == Phase::Live) {
            ApplyUpdates(message.updates, !first_event_seen_);
            first_event_seen_ = true;
        }
        return;
    case Type::Pong:
        if (!ping_pending_ || message.id != ping_id_) return;
        ping_pending_ = false;
        // Home Assistant answers in order: a change made before this pong came before it, so
        // every value still held is as new as the ping.
        values_.Renew(ping_sent_at_, ping_sent_wall_);
        if (values_.Complete()) Publish();
        return;
    case Type::Other:
        return;
    }
}

void HomeAssistantBackend::Subscribed(const ServerMessage& result) {
    if (!result.success) {
        LinkFailed(Describe() + " refuses subscribe_entities (" + result.error + ")", "refused");
        return;
    }
    phase_ = Phase::Live;
    failed_attempts_ = 0;
    ping_pending_ = false;
    ping_sent_at_ = std::chrono::steady_clock::now();
    std::string what = "subscribed to " + std::to_string(values_.EntityIds().size()) +
                       " entities of " + Describe();
    if (link_log_.Failing())
        link_log_.Recovered(what);
    else
        log::Info(kDomain, what);
    health_.Set(" ok");
}

void HomeAssistantBackend::ApplyUpdates(const std::vector<EntityUpdate>& updates, bool first) {
    auto now = std::chrono::steady_clock::now();
    auto wall = std::chrono::system_clock::now();
    bool changed = false;
    for (const EntityUpdate& update : updates) {
        try {
            UpdateOutcome outcome = values_.Apply(update, now, wall);
            changed = changed || outcome != UpdateOutcome::NotConfigured;
            if (outcome == UpdateOutcome::NoValue)
                entity_log_.Failed("entity " + update.entity_id + " is " +
                                   LogText(update.state.value_or("without a state")) +
                                   ": no reading until it has a value");
            if (outcome == UpdateOutcome::Removed)
                entity_log_.Failed("entity " + update.entity_id + " was removed from " +
                                   Describe());
        } catch (const MessageError& error) {
            changed = true;
            data_log_.Failed("unparsable state of " + update.entity_id + " from " + Describe() +
                             ": " + error.what());
        }
    }
    if (first) ReportMissing();
    if (!changed) return;
    if (!values_.Complete()) {
        health_.Set(": no value for " + values_.Missing()->key);
        return;
    }
    entity_log_.Recovered("every entity has a value again");
    data_log_.Recovered("usable states again");
    if (phase_ == Phase::Live) health_.Set(" ok");
    Publish();
}

void HomeAssistantBackend::ReportMissing() {
    const Entity* missing = values_.Missing();
    if (!missing) return;
    entity_log_.Failed("entity " + EntityName(*missing) + " has no value in " + Describe() +
                       " (missing, unavailable or unknown): no reading until it has one");
    health_.Set(": no value for " + missing->key);
}

void HomeAssistantBackend::KeepAlive(SteadyTime now) {
    Seconds period = PingPeriod(state_.Policy().stale_after);
    if (ping_pending_) {
        if (Elapsed(ping_sent_at_, now) > period)
            LinkFailed("no pong from " + Describe() + " within " +
                           log::FormatDuration(now - ping_sent_at_) + ": connection lost",
                       "connection lost");
        return;
    }
    if (Elapsed(ping_sent_at_, now) < period) return;
    ping_id_ = next_id_++;
    Send(PingMessage(ping_id_));
    ping_pending_ = true;
    ping_sent_at_ = now;
    ping_sent_wall_ = std::chrono::system_clock::now();
}

Seconds HomeAssistantBackend::LinkFailed(const std::string& what, const std::string& health) {
    socket_.reset();
    phase_ = Phase::Down;
    // One failure per attempt, however many ways it is reported.
    if (!attempt_reported_) {
        attempt_reported_ = true;
        ++failed_attempts_;
        link_log_.Failed(what + "; retrying");
        health_.SetFailing(health, link_log_.Since(), RetryWait());
    }
    return RetryWait();
}

Seconds HomeAssistantBackend::EntityUnknown(const Entity& entity) {
    // The entity's own kind of failure, logged once; the seed is retried as after a failed
    // connection (the entity may be about to be set up).
    phase_ = Phase::Down;
    ++failed_attempts_;
    entity_log_.Failed("entity " + EntityName(entity) + " is not known to " + Describe() +
                       ": check its id (Developer tools, States); retrying");
    health_.SetFailing("entity missing: " + entity.key, entity_log_.Since(), RetryWait());
    return RetryWait();
}

Seconds HomeAssistantBackend::RetryWait() const {
    return RetryWaitAfter(failed_attempts_);
}

void HomeAssistantBackend::Publish() {
    auto now = std::chrono::steady_clock::now();
    Reading reading = values_.Compose();
    energy_.Add(reading, now);
    state_.Publish(reading);
    SaveEnergy(now, kEnergySaveInterval);
}

void HomeAssistantBackend::SaveEnergy(SteadyTime now, Seconds interval) noexcept {
    if (auto error = energy_.TrySaveIfDue(now, interval))
        log::Warning(kDomain, "cannot save the energy counters: ", *error);
}

} // namespace meteremu::home_assistant

namespace meteremu {
namespace {

std::unique_ptr<Backend> CreateHomeAssistant(const BackendOptions& options,
                                             const BackendContext& context) {
    return std::make_unique<home_assistant::HomeAssistantBackend>(
        static_cast<const HomeAssistantOptions&>(options), context);
}

} // namespace

const BackendPlugin home_assistant_backend_plugin{"home_assistant", ParseHomeAssistantOptions,
                                                  CreateHomeAssistant};

} // namespace meteremu
