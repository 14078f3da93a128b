// SPDX-License-Identifier: MIT
// One libmosquitto client, driven by its owner's thread (no thread of the library's own):
// Step() runs the network for at most a timeout and calls the events back on that thread.
// The library's callbacks are noexcept and catch: no exception crosses into C.
#pragma once

#include "backends/mqtt/mqtt_options.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct mosquitto;
struct mosquitto_message;

namespace meteremu::mqtt {

/// What the connection reports, on the thread that calls Client::Step.
class ClientEvents {
public:
    virtual ~ClientEvents() = default;
    /// The broker accepted the login (CONNACK 0).
    virtual void OnConnected() = 0;
    /// The broker refused the connection; `reason` in words, `auth` for a refused login.
    virtual void OnRefused(std::string_view reason, bool auth) = 0;
    virtual void OnMessage(std::string_view topic, std::string_view payload) = 0;
    /// The broker confirmed a subscription (SUBACK): messages on `topic` come from now on.
    virtual void OnSubscribed(std::string_view topic) = 0;
    /// The broker refused a subscription (SUBACK 0x80: its ACL denies the topic).
    virtual void OnSubscriptionRefused(std::string_view topic) = 0;
};

struct MosquittoDeleter {
    void operator()(mosquitto* client) const noexcept;
};
using MosquittoPtr = std::unique_ptr<mosquitto, MosquittoDeleter>;

/// Initialises libmosquitto once for the process; call while the process has one thread.
void InitLibrary();

class Client {
public:
    /// Throws std::runtime_error when the library refuses a setting (e.g. an unreadable
    /// ca_file). `password` is a secret: it only goes to the library.
    Client(const MqttOptions& options, const std::string& password, ClientEvents& events);

    /// Starts connecting (a new TCP connection, the old one closed) without waiting for it.
    /// Throws std::runtime_error, e.g. for a host name that does not resolve.
    void Connect();
    /// Runs the network for at most `timeout`: reads, writes, keepalive pings, callbacks.
    /// Throws std::runtime_error when the connection is gone (or never came up).
    void Step(std::chrono::milliseconds timeout);
    /// Subscribes to every topic at the configured QoS.
    void Subscribe(const std::vector<std::string>& topics);
    /// Closes the connection (with DISCONNECT when it is up).
    void Disconnect() noexcept;

private:
    static void OnConnect(mosquitto* client, void* self, int code) noexcept;
    static void OnMessage(mosquitto* client, void* self, const mosquitto_message* message) noexcept;
    static void OnSubscribe(mosquitto* client, void* self, int message_id, int count,
                            const int* granted) noexcept;
    void Configure(const std::string& password);
    void ConfigureTls();

    const MqttOptions& options_;
    ClientEvents& events_;
    MosquittoPtr client_;
    bool connected_once_ = false;
    std::vector<std::pair<int, std::string>> pending_subscriptions_; ///< message id, topic
};

} // namespace meteremu::mqtt
