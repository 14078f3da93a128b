// SPDX-License-Identifier: MIT
#include "backends/mqtt/mqtt_backend.hpp"

#include "util/atomic_file.hpp"
#include "util/log_text.hpp"

#include <algorithm>

namespace meteremu::mqtt {
namespace {

constexpr log::Domain kDomain{"mqtt"};
/// A broker that has not accepted the connection by then counts as unreachable (a host that
/// drops packets would otherwise hold the attempt for the kernel's TCP timeout, minutes).
constexpr Seconds kConnectTimeout{10.0};
constexpr Seconds kEnergySaveInterval{60.0};

std::string BrokerName(const MqttOptions& options) {
    bool v6 = options.host.find(':') != std::string::npos;
    std::string host = v6 ? "[" + options.host + "]" : options.host;
    return (options.tls ? "mqtts://" : "mqtt://") + host + ":" + std::to_string(options.port);
}

/// The password, from password or the first line of password_file. Throws
/// std::runtime_error naming the file (never its content).
std::string ReadPassword(const MqttOptions& options) {
    if (options.password_file.empty()) return options.password;
    std::optional<std::string> content;
    try {
        content = ReadSmallFile(options.password_file);
    } catch (const std::exception& error) {
        throw std::runtime_error("password_file: " + std::string(error.what()));
    }
    if (!content)
        throw std::runtime_error("password_file " + options.password_file + " does not exist");
    return content->substr(0, content->find_first_of("\r\n"));
}

std::string ChannelName(const Channel& channel) {
    return channel.key + " \"" + LogText(channel.topic) + "\"";
}

std::string_view ProblemWords(PayloadProblem problem) {
    switch (problem) {
    case PayloadProblem::MissingField:
        return "missing field";
    case PayloadProblem::NotANumber:
    case PayloadProblem::Unparsable:
        break;
    }
    return "unparsable payload";
}

} // namespace

MqttBackend::MqttBackend(const MqttOptions& options, const BackendContext& context)
    : options_(options), state_(context.state),
      values_(options.channels, options.scale, options.invert),
      energy_(context.state_directory / "mqtt-energy.json",
              std::max(Seconds(10), context.state.Policy().stale_after)),
      link_log_(kDomain), data_log_(kDomain), silence_log_(kDomain),
      loop_("poll-mqtt", context.heartbeat) {}

MqttBackend::~MqttBackend() {
    Stop();
}

std::string MqttBackend::Describe() const {
    return "MQTT broker " + BrokerName(options_);
}

void MqttBackend::Start() {
    ClientEvents& events = *this;
    client_ = std::make_unique<Client>(options_, ReadPassword(options_), events);
    try {
        // The counters are kept per broker: another broker is another meter.
        energy_.Load(BrokerName(options_));
    } catch (const std::exception& error) {
        log::Warning(kDomain, "energy counters start from 0: ", error.what());
    }
    loop_.Start([this](std::stop_token) { return Step(); });
}

void MqttBackend::Stop() noexcept {
    loop_.Stop();
    if (client_ && link_ == Link::Up) client_->Disconnect();
    if (client_) SaveEnergy(std::chrono::steady_clock::now(), Seconds(0));
    link_ = Link::Down;
}

Seconds MqttBackend::Step() {
    if (link_ == Link::Down) return Connect();
    auto now = std::chrono::steady_clock::now();
    if (link_ == Link::Connecting && now - attempt_started_ > kConnectTimeout) {
        client_->Disconnect();
        return LinkFailed("cannot reach the broker " + BrokerName(options_) + ": no answer in " +
                              std::to_string(static_cast<int>(kConnectTimeout.count())) + " s",
                          "unreachable");
    }
    try {
        client_->Step(std::chrono::duration_cast<std::chrono::milliseconds>(kHeartbeatPeriod));
    } catch (const std::exception& error) {
        bool was_up = link_ == Link::Up;
        std::string what = was_up ? "lost the connection to the broker " + BrokerName(options_)
                                  : "cannot reach the broker " + BrokerName(options_);
        return LinkFailed(what + ": " + error.what(), was_up ? "connection lost" : "unreachable");
    }
    if (link_ == Link::Down) return RetryWait(); // refused, in OnRefused
    if (link_ == Link::Up) CheckSilence(std::chrono::steady_clock::now());
    return Seconds(0);
}

Seconds MqttBackend::Connect() {
    attempt_reported_ = false;
    attempt_started_ = std::chrono::steady_clock::now();
    try {
        client_->Connect();
    } catch (const std::exception& error) {
        return LinkFailed("cannot reach the broker " + BrokerName(options_) + ": " + error.what(),
                          "unreachable");
    }
    link_ = Link::Connecting;
    if (!link_log_.Failing()) health_.Set(": connecting to " + BrokerName(options_));
    return Seconds(0);
}

Seconds MqttBackend::LinkFailed(const std::string& what, const std::string& health) {
    link_ = Link::Down;
    // One failure per attempt, however many ways it is reported (a refusal in the callback,
    // then the closed socket).
    if (!attempt_reported_) {
        attempt_reported_ = true;
        ++failed_attempts_;
        link_log_.Failed(what + "; retrying");
        health_.SetFailing(health, link_log_.Since(), RetryWait());
    }
    return RetryWait();
}

Seconds MqttBackend::RetryWait() const {
    return RetryWaitAfter(failed_attempts_);
}

void MqttBackend::OnConnected() {
    link_ = Link::Up;
    failed_attempts_ = 0;
    connected_at_ = std::chrono::steady_clock::now();
    silent_ = nullptr;
    if (link_log_.Failing())
        link_log_.Recovered("connected to the broker " + BrokerName(options_));
    else
        log::Info(kDomain, "connected to ", BrokerName(options_));
    health_.Set(" ok");
    client_->Subscribe(values_.Topics());
}

void MqttBackend::OnRefused(std::string_view reason, bool auth) {
    std::string what = auth ? "auth refused by the broker " + BrokerName(options_) + " (" +
                                  std::string(reason) + "): check username and password"
                            : "the broker " + BrokerName(options_) + " refuses the connection (" +
                                  std::string(reason) + ")";
    LinkFailed(what, auth ? "auth refused" : "refused");
}

void MqttBackend::OnSubscribed(std::string_view topic) {
    log::Info(kDomain, "subscribed to \"", LogText(topic), "\"");
}

void MqttBackend::OnSubscriptionRefused(std::string_view topic) {
    data_log_.Failed("the broker refuses the subscription to \"" + LogText(topic) +
                     "\" (its access list denies it)");
    health_.Set(": the broker refuses the subscription to \"" + LogText(topic) + "\"");
}

void MqttBackend::OnMessage(std::string_view topic, std::string_view payload) {
    auto now = std::chrono::steady_clock::now();
    MessageOutcome outcome = values_.Apply(topic, payload, now, std::chrono::system_clock::now());
    if (outcome.error)
        data_log_.Failed(std::string(ProblemWords(outcome.error->Problem())) + " on \"" +
                         LogText(topic) + "\", value ignored: " + outcome.error->what());
    if (outcome.updated == 0) return;
    if (!outcome.error) data_log_.Recovered("usable values again");
    if (values_.Complete()) Publish(now);
}

void MqttBackend::Publish(SteadyTime now) {
    Reading reading = values_.Compose();
    energy_.Add(reading, now);
    state_.Publish(reading);
    SaveEnergy(now, kEnergySaveInterval);
}

void MqttBackend::CheckSilence(SteadyTime now) {
    Seconds stale_after = state_.Policy().stale_after;
    auto horizon = now - std::chrono::duration_cast<SteadyTime::duration>(stale_after);
    const Channel* silent = connected_at_ < horizon ? values_.SilentSince(horizon) : nullptr;
    if (silent == silent_) return;
    silent_ = silent;
    if (!silent) {
        silence_log_.Recovered("every topic publishes again");
        health_.Set(" ok");
        return;
    }
    std::string what = "no value on " + ChannelName(*silent) + " in the last " +
                       log::FormatDuration(now - horizon) +
                       " (topic missing or silent, or the field is never in its messages)";
    silence_log_.Failed(what + "; the reading is stale");
    health_.Set(": no value on " + silent->key);
}

void MqttBackend::SaveEnergy(SteadyTime now, Seconds interval) noexcept {
    if (auto error = energy_.TrySaveIfDue(now, interval))
        log::Warning(kDomain, "cannot save the energy counters: ", *error);
}

} // namespace meteremu::mqtt

namespace meteremu {
namespace {

std::unique_ptr<Backend> CreateMqtt(const BackendOptions& options, const BackendContext& context) {
    mqtt::InitLibrary();
    return std::make_unique<mqtt::MqttBackend>(static_cast<const MqttOptions&>(options), context);
}

} // namespace

const BackendPlugin mqtt_backend_plugin{"mqtt", ParseMqttOptions, CreateMqtt};

} // namespace meteremu
