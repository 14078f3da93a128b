// SPDX-License-Identifier: MIT
#include "integration/mqtt_support.hpp"

#include "fakes/fake_envoy.hpp"
#include "support/tcp_client.hpp"

#include <arpa/inet.h>
#include <csignal>
#include <mosquitto.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdexcept>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace meteremu::test {
namespace {

/// A TCP port free on 127.0.0.1 right now (the kernel's pick for port 0).
std::uint16_t FreePort() {
    UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (bind(fd.Get(), reinterpret_cast<sockaddr*>(&address), size) != 0 ||
        getsockname(fd.Get(), reinterpret_cast<sockaddr*>(&address), &size) != 0)
        throw std::runtime_error("no free port");
    return ntohs(address.sin_port);
}

std::string CurrentUser() {
    const passwd* entry = getpwuid(getuid());
    return entry ? entry->pw_name : "root";
}

} // namespace

MosquittoBroker::MosquittoBroker() {
    auto passwords = dir_.Write("passwd", "");
    auto made = RunProgram(
        {"/usr/bin/mosquitto_passwd", "-b", passwords.string(), kMqttUser, kMqttPassword});
    if (made.status != 0) throw std::runtime_error("mosquitto_passwd failed: " + made.err);
    MakeSelfSignedCertificate(dir_.Path());
    for (int attempt = 0; attempt < 5 && !process_; ++attempt) {
        port_ = FreePort();
        tls_port_ = FreePort();
        Launch();
    }
    if (!process_) throw std::runtime_error("mosquitto did not start:\n" + old_logs_);
}

MosquittoBroker::~MosquittoBroker() {
    if (process_) process_->Stop(SIGTERM);
}

std::string MosquittoBroker::CaFile() const {
    return (dir_.Path() / "envoy-cert.pem").string();
}

void MosquittoBroker::Launch() {
    // Run as the test's own user: as root, mosquitto would switch to the user "mosquitto",
    // who cannot read this private directory.
    std::string path = dir_.Path().string();
    auto config =
        dir_.Write("mosquitto.conf", "per_listener_settings false\nallow_anonymous false\n"
                                     "password_file " +
                                         path +
                                         "/passwd\npersistence false\n"
                                         "log_dest stderr\nlog_type all\nuser " +
                                         CurrentUser() +
                                         "\n"
                                         "listener " +
                                         std::to_string(port_) +
                                         " 127.0.0.1\n"
                                         "listener " +
                                         std::to_string(tls_port_) +
                                         " 127.0.0.1\n"
                                         "certfile " +
                                         path +
                                         "/envoy-cert.pem\n"
                                         "keyfile " +
                                         path + "/envoy-key.pem\n");
    auto process = std::make_unique<ChildProcess>(
        std::vector<std::string>{"/usr/sbin/mosquitto", "-c", config.string()});
    if (process->WaitForOutput("mosquitto version [^ ]+ running", 10s)) {
        process_ = std::move(process);
        return;
    }
    process->Stop(SIGKILL);
    old_logs_ += process->Stderr();
}

void MosquittoBroker::Kill() {
    if (!process_) return;
    process_->Stop(SIGKILL);
    old_logs_ += process_->Stderr();
    process_.reset();
}

void MosquittoBroker::Restart() {
    Kill();
    // The ports were just freed; nothing else on this host should take them in between.
    for (int attempt = 0; attempt < 20 && !process_; ++attempt) {
        Launch();
        if (!process_) std::this_thread::sleep_for(100ms);
    }
    if (!process_) throw std::runtime_error("mosquitto did not restart:\n" + old_logs_);
}

std::string MosquittoBroker::Log() const {
    return old_logs_ + (process_ ? process_->Stderr() : "");
}

MqttPublisher::MqttPublisher(std::uint16_t port) {
    mosquitto_lib_init();
    client_ = mosquitto_new(nullptr, true, &acknowledged_);
    if (!client_) throw std::runtime_error("mosquitto_new failed");
    mosquitto_username_pw_set(client_, kMqttUser, kMqttPassword);
    mosquitto_connect_callback_set(client_, [](mosquitto*, void* acknowledged, int code) {
        if (code == 0) *static_cast<int*>(acknowledged) = -1;
    });
    mosquitto_publish_callback_set(client_, [](mosquitto*, void* acknowledged, int id) {
        *static_cast<int*>(acknowledged) = id;
    });
    if (mosquitto_connect(client_, "127.0.0.1", port, 30) != MOSQ_ERR_SUCCESS)
        throw std::runtime_error("the test publisher cannot connect");
    for (int i = 0; i < 200 && acknowledged_ != -1; ++i)
        mosquitto_loop(client_, 10, 1);
    if (acknowledged_ != -1) throw std::runtime_error("the broker did not accept the publisher");
}

MqttPublisher::~MqttPublisher() {
    mosquitto_disconnect(client_);
    mosquitto_destroy(client_);
}

void MqttPublisher::Publish(const std::string& topic, const std::string& payload) {
    int id = 0;
    if (mosquitto_publish(client_, &id, topic.c_str(), static_cast<int>(payload.size()),
                          payload.data(), 1, false) != MOSQ_ERR_SUCCESS)
        throw std::runtime_error("publish failed");
    // QoS 1: the broker has the message once its PUBACK for this id is in.
    for (int i = 0; i < 200 && acknowledged_ != id; ++i)
        mosquitto_loop(client_, 10, 1);
    if (acknowledged_ != id) throw std::runtime_error("the broker did not acknowledge");
}

} // namespace meteremu::test
