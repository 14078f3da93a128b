// SPDX-License-Identifier: MIT
// A real mosquitto broker for the MQTT tests, started by the test on loopback: its own
// configuration, password file and throwaway TLS certificate in a temporary directory, on
// ports picked free at start (mosquitto cannot listen on port 0). It never touches the
// system's broker service. And a publisher (libmosquitto) that plays captured messages.
#pragma once

#include "support/daemon_process.hpp"
#include "support/temp_dir.hpp"

#include <cstdint>
#include <memory>
#include <string>

struct mosquitto;

namespace meteremu::test {

inline constexpr const char* kMqttUser = "meter";
inline constexpr const char* kMqttPassword = "s3cret-pw";

class MosquittoBroker {
public:
    /// Starts /usr/sbin/mosquitto with a plain and a TLS listener on 127.0.0.1, both
    /// requiring kMqttUser / kMqttPassword. Throws std::runtime_error when it cannot start.
    MosquittoBroker();
    ~MosquittoBroker();

    std::uint16_t Port() const noexcept { return port_; }
    std::uint16_t TlsPort() const noexcept { return tls_port_; }
    /// The CA that signed the TLS listener's certificate (it is self-signed: the certificate).
    std::string CaFile() const;
    const TempDir& Directory() const noexcept { return dir_; }

    /// Kills the broker by its pid (SIGKILL: no goodbye to the clients).
    void Kill();
    /// Starts it again on the same ports.
    void Restart();
    std::string Log() const;

private:
    void Launch();
    TempDir dir_;
    std::uint16_t port_ = 0;
    std::uint16_t tls_port_ = 0;
    std::unique_ptr<ChildProcess> process_;
    std::string old_logs_;
};

/// A client that publishes on the broker's plain listener as kMqttUser.
class MqttPublisher {
public:
    explicit MqttPublisher(std::uint16_t port);
    ~MqttPublisher();
    MqttPublisher(const MqttPublisher&) = delete;
    MqttPublisher& operator=(const MqttPublisher&) = delete;

    /// Publishes at QoS 1 and waits (bounded) until the broker acknowledged it: from then on
    /// the broker sends it to the subscribers.
    void Publish(const std::string& topic, const std::string& payload);

private:
    mosquitto* client_ = nullptr;
    int acknowledged_ = 0; ///< the last message id the broker acknowledged; -1: connected
};

} // namespace meteremu::test
