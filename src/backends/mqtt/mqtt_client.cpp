// SPDX-License-Identifier: MIT
#include "backends/mqtt/mqtt_client.hpp"

#include <cerrno>
#include <cstring>
#include <mosquitto.h>
#include <mutex>
#include <stdexcept>

namespace meteremu::mqtt {
namespace {

// CONNACK return codes of MQTT 3.1.1 (section 3.2.2.3) that refuse the login.
constexpr int kBadUserNameOrPassword = 4;
constexpr int kNotAuthorized = 5;
constexpr int kSubscriptionRefused = 0x80;

std::string Describe(int code) {
    // For MOSQ_ERR_ERRNO the library's text is the bare errno text already.
    return code == MOSQ_ERR_ERRNO ? std::strerror(errno) : mosquitto_strerror(code);
}

void Require(int code, std::string_view what) {
    if (code != MOSQ_ERR_SUCCESS)
        throw std::runtime_error(std::string(what) + ": " + Describe(code));
}

} // namespace

void MosquittoDeleter::operator()(mosquitto* client) const noexcept {
    mosquitto_destroy(client);
}

void InitLibrary() {
    static std::once_flag once;
    std::call_once(once, [] { mosquitto_lib_init(); });
}

Client::Client(const MqttOptions& options, const std::string& password, ClientEvents& events)
    : options_(options), events_(events) {
    InitLibrary();
    const char* id = options.client_id.empty() ? nullptr : options.client_id.c_str();
    client_.reset(mosquitto_new(id, true, this));
    if (!client_)
        throw std::runtime_error("cannot make an MQTT client: " + Describe(MOSQ_ERR_ERRNO));
    Configure(password);
}

void Client::Configure(const std::string& password) {
    mosquitto* client = client_.get();
    Require(mosquitto_int_option(client, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311),
            "MQTT protocol version");
    if (!options_.username.empty())
        Require(mosquitto_username_pw_set(client, options_.username.c_str(),
                                          password.empty() ? nullptr : password.c_str()),
                "username");
    if (options_.tls) ConfigureTls();
    mosquitto_connect_callback_set(client, &Client::OnConnect);
    mosquitto_message_callback_set(client, &Client::OnMessage);
    mosquitto_subscribe_callback_set(client, &Client::OnSubscribe);
}

void Client::ConfigureTls() {
    mosquitto* client = client_.get();
    // Without a ca_file the system's trusted authorities decide (Debian's /etc/ssl/certs).
    const char* ca_file = options_.ca_file.empty() ? nullptr : options_.ca_file.c_str();
    const char* ca_path = ca_file ? nullptr : "/etc/ssl/certs";
    Require(mosquitto_tls_set(client, ca_file, ca_path, nullptr, nullptr, nullptr),
            "ca_file " + options_.ca_file);
    Require(mosquitto_tls_opts_set(client, options_.verify_ssl ? 1 : 0, nullptr, nullptr),
            "TLS options");
    Require(mosquitto_tls_insecure_set(client, !options_.verify_ssl), "TLS host name check");
}

void Client::Connect() {
    pending_subscriptions_.clear();
    int code = connected_once_ ? mosquitto_reconnect_async(client_.get())
                               : mosquitto_connect_async(client_.get(), options_.host.c_str(),
                                                         options_.port, options_.keepalive);
    connected_once_ = true;
    Require(code, "cannot connect");
}

void Client::Step(std::chrono::milliseconds timeout) {
    int code = mosquitto_loop(client_.get(), static_cast<int>(timeout.count()), 1);
    if (code == MOSQ_ERR_NO_CONN || code == MOSQ_ERR_CONN_LOST)
        throw std::runtime_error("the socket closed");
    if (code == MOSQ_ERR_TLS)
        throw std::runtime_error("TLS failed (is the broker's certificate trusted? see ca_file)");
    Require(code, "connection failed");
}

void Client::Subscribe(const std::vector<std::string>& topics) {
    for (const std::string& topic : topics) {
        int message_id = 0;
        Require(mosquitto_subscribe(client_.get(), &message_id, topic.c_str(), options_.qos),
                "cannot subscribe");
        pending_subscriptions_.emplace_back(message_id, topic);
    }
}

void Client::Disconnect() noexcept {
    mosquitto_disconnect(client_.get());
}

void Client::OnConnect(mosquitto*, void* self, int code) noexcept {
    auto& client = *static_cast<Client*>(self);
    try {
        if (code == 0)
            client.events_.OnConnected();
        else
            client.events_.OnRefused(mosquitto_connack_string(code),
                                     code == kBadUserNameOrPassword || code == kNotAuthorized);
    } catch (...) {
        // The owner's handler failed (out of memory): nothing sensible to do inside C.
    }
}

void Client::OnMessage(mosquitto*, void* self, const mosquitto_message* message) noexcept {
    auto& client = *static_cast<Client*>(self);
    try {
        client.events_.OnMessage(message->topic, {static_cast<const char*>(message->payload),
                                                  static_cast<std::size_t>(message->payloadlen)});
    } catch (...) {
        // As in OnConnect: the message is dropped.
    }
}

void Client::OnSubscribe(mosquitto*, void* self, int message_id, int count,
                         const int* granted) noexcept {
    auto& client = *static_cast<Client*>(self);
    try {
        for (const auto& [id, topic] : client.pending_subscriptions_) {
            if (id != message_id || count < 1) continue;
            if (granted[0] == kSubscriptionRefused)
                client.events_.OnSubscriptionRefused(topic);
            else
                client.events_.OnSubscribed(topic);
        }
    } catch (...) {
        // As in OnConnect.
    }
}

} // namespace meteremu::mqtt
