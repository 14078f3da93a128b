// SPDX-License-Identifier: MIT
// The MQTT push source of the benchmark and its reference, on libmosquitto alone.
//   --publish: a meter publishing its net power on one topic (QoS 0, a plain number, as a
//   Tasmota or an ESPHome meter does): --changes values, one every --every-ms, the first
//   --first W and each next --step W more. Prints "published <ns> <watts>" per value, the
//   clock read just before mosquitto_publish (which writes to the socket at once: no loop
//   thread runs).
//   --subscribe: the reference, a plain subscriber on the same topic that notes when each
//   message is in its callback: the broker's part, which meteremu cannot beat. Prints
//   "subscribed" once the broker confirmed, then "received <ns> <payload>" per message, until
//   --seconds have passed.
//   bench_mqtt_client --publish|--subscribe --port N --topic T [--changes 30] [--every-ms 300]
//                     [--first 1000] [--step 37] [--seconds 20]
#include "bench_util.hpp"

#include <memory>
#include <mosquitto.h>
#include <string>
#include <sys/prctl.h>
#include <unistd.h>

namespace {

using namespace meteremu::bench;

struct MosquittoDeleter {
    void operator()(mosquitto* client) const noexcept { mosquitto_destroy(client); }
};
using Client = std::unique_ptr<mosquitto, MosquittoDeleter>;

/// What the callbacks tell the main loop.
struct Events {
    bool connected = false;
    bool subscribed = false;
};

Client Connect(std::uint16_t port, Events& events) {
    Client client(mosquitto_new(nullptr, true, &events));
    if (!client) throw std::runtime_error("mosquitto_new failed");
    mosquitto_connect_callback_set(client.get(), [](mosquitto*, void* data, int code) noexcept {
        if (code == 0) static_cast<Events*>(data)->connected = true;
    });
    if (mosquitto_connect(client.get(), "127.0.0.1", port, 30) != MOSQ_ERR_SUCCESS)
        throw std::runtime_error("cannot connect to the broker on port " + std::to_string(port));
    for (int i = 0; i < 500 && !events.connected; ++i) // at most 5 s
        mosquitto_loop(client.get(), 10, 1);
    if (!events.connected) throw std::runtime_error("the broker did not accept the connection");
    return client;
}

void Publish(std::uint16_t port, const std::string& topic, long changes, long every_ms,
             double first, double step) {
    Events events;
    Client client = Connect(port, events);
    std::int64_t start = NowNs();
    for (long index = 0; index < changes; ++index) {
        std::int64_t due = start + (index + 1) * every_ms * 1'000'000;
        while (NowNs() < due) // keeps the connection served while it waits
            mosquitto_loop(client.get(),
                           static_cast<int>(std::max<std::int64_t>(1, (due - NowNs()) / 1'000'000)),
                           1);
        char payload[32];
        int size = std::snprintf(payload, sizeof payload, "%.1f",
                                 first + step * static_cast<double>(index));
        std::int64_t sent_at = NowNs();
        if (mosquitto_publish(client.get(), nullptr, topic.c_str(), size, payload, 0, false) !=
            MOSQ_ERR_SUCCESS)
            throw std::runtime_error("publish failed");
        std::printf("published %lld %s\n", static_cast<long long>(sent_at), payload);
        std::fflush(stdout);
    }
    mosquitto_loop(client.get(), 10, 1);
    mosquitto_disconnect(client.get());
}

void Subscribe(std::uint16_t port, const std::string& topic, double seconds) {
    Events events;
    Client client = Connect(port, events);
    mosquitto_subscribe_callback_set(client.get(),
                                     [](mosquitto*, void* data, int, int, const int*) noexcept {
                                         static_cast<Events*>(data)->subscribed = true;
                                     });
    mosquitto_message_callback_set(
        client.get(), [](mosquitto*, void*, const mosquitto_message* message) noexcept {
            std::int64_t now = NowNs();
            std::printf("received %lld %.*s\n", static_cast<long long>(now), message->payloadlen,
                        static_cast<const char*>(message->payload));
            std::fflush(stdout);
        });
    if (mosquitto_subscribe(client.get(), nullptr, topic.c_str(), 0) != MOSQ_ERR_SUCCESS)
        throw std::runtime_error("subscribe failed");
    std::int64_t end = NowNs() + static_cast<std::int64_t>(seconds * 1e9);
    bool told = false;
    while (NowNs() < end) {
        if (mosquitto_loop(client.get(), 100, 1) != MOSQ_ERR_SUCCESS)
            throw std::runtime_error("lost the broker");
        if (events.subscribed && !told) {
            std::printf("subscribed\n");
            std::fflush(stdout);
            told = true;
        }
    }
    mosquitto_disconnect(client.get());
}

} // namespace

int main(int argc, char** argv) try {
    auto port = static_cast<std::uint16_t>(NumberOption(argc, argv, "--port", 0));
    std::string topic = Option(argc, argv, "--topic", "");
    bool publish = argc > 1 && std::string_view(argv[1]) == "--publish";
    bool subscribe = argc > 1 && std::string_view(argv[1]) == "--subscribe";
    if (!port || topic.empty() || publish == subscribe) {
        std::fprintf(stderr, "usage: bench_mqtt_client --publish|--subscribe --port N --topic T "
                             "[--changes 30] [--every-ms 300] [--first 1000] [--step 37] "
                             "[--seconds 20]\n");
        return 64;
    }
    prctl(PR_SET_TIMERSLACK, 1000UL);
    mosquitto_lib_init();
    if (publish)
        Publish(port, topic, NumberOption(argc, argv, "--changes", 30),
                NumberOption(argc, argv, "--every-ms", 300),
                std::stod(Option(argc, argv, "--first", "1000")),
                std::stod(Option(argc, argv, "--step", "37")));
    else
        Subscribe(port, topic, std::stod(Option(argc, argv, "--seconds", "20")));
    mosquitto_lib_cleanup();
    return 0;
} catch (const std::exception& error) {
    std::fprintf(stderr, "bench_mqtt_client: %s\n", error.what());
    return 1;
}
