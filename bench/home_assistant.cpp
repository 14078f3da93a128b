// SPDX-License-Identifier: MIT
// The Home Assistant push source of the benchmark and its reference. Unlike the other bench
// programs it links meteremu's own code: the fake Home Assistant of the tests
// (tests/fakes/fake_home_assistant) is the source, and the reference speaks to it through
// net/websocket_client and the ha_messages parser, as any WebSocket client of HA would.
//   --serve: the fake on 127.0.0.1 with one power entity (--entity, --first - 500 W at the
//   start). Prints "serving <url> token <token>", then waits for SIGUSR1 to send --changes
//   state changes, one every --every-ms, the first --first W and each next --step W more;
//   then "sent <ns> <state>" per change, the clock read when the fake handed the frame to its
//   WebSocket server to write (FakeHomeAssistant::DeliveredAt, the first subscriber's), and
//   "done". Serves until SIGTERM or --seconds.
//   --listen: the reference, a plain client that logs in with the first line of --token-file,
//   subscribes to the entity (subscribe_entities) and prints "subscribed" once HA confirmed,
//   then "received <ns> <state>" per message carrying a state of it, the clock read as the
//   message is complete, until --seconds have passed.
//   bench_home_assistant --serve --entity E [--changes 30] [--every-ms 300] [--first 1000]
//                        [--step 37] [--seconds 90]
//   bench_home_assistant --listen --port N --token-file F --entity E [--seconds 90]
#include "backends/home_assistant/ha_messages.hpp"
#include "bench_util.hpp"
#include "fakes/fake_home_assistant.hpp"
#include "net/websocket_client.hpp"

#include <chrono>
#include <csignal>
#include <fstream>
#include <optional>
#include <string>
#include <sys/prctl.h>
#include <thread>
#include <utility>
#include <vector>

namespace {

using namespace meteremu::bench;
using meteremu::test::FakeHomeAssistant;
namespace ha = meteremu::home_assistant;

std::string State(double watts) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", watts);
    return text;
}

/// Waits for SIGUSR1 (true) or SIGTERM/SIGINT/`end` (false); the signals are blocked in
/// every thread, so only this wait takes them.
bool AwaitStart(const sigset_t& signals, std::int64_t end) {
    for (std::int64_t left; (left = end - NowNs()) > 0;) {
        timespec wait{static_cast<time_t>(left / 1'000'000'000),
                      static_cast<long>(left % 1'000'000'000)};
        int signal = sigtimedwait(&signals, nullptr, &wait);
        if (signal == SIGUSR1) return true;
        if (signal == SIGTERM || signal == SIGINT) return false;
    }
    return false;
}

/// When the fake handed `frame` to its WebSocket server; nullopt if not by `give_up`.
std::optional<std::int64_t> DeliveredNs(const FakeHomeAssistant& fake, unsigned frame,
                                        std::int64_t give_up) {
    for (;; std::this_thread::sleep_for(std::chrono::microseconds(50))) {
        if (auto at = fake.DeliveredAt(frame))
            return std::chrono::duration_cast<std::chrono::nanoseconds>(at->time_since_epoch())
                .count();
        if (NowNs() >= give_up) return std::nullopt;
    }
}

/// The changes keep their schedule, as a meter's would, however late the fake sends them (a
/// busy machine can stall it for seconds); each is printed after the last, with when it was
/// sent. One not sent within 30 s of the last change (or by `end`) is left out, which the
/// benchmark's row reports.
void SendChanges(FakeHomeAssistant& fake, const std::string& entity, long changes, long every_ms,
                 double first, double step, std::int64_t end) {
    std::vector<std::pair<unsigned, std::string>> frames;
    std::int64_t start = NowNs();
    for (long index = 0; index < changes; ++index) {
        std::int64_t due = start + (index + 1) * every_ms * 1'000'000;
        if (std::int64_t left = due - NowNs(); left > 0)
            std::this_thread::sleep_for(std::chrono::nanoseconds(left));
        std::string state = State(first + step * static_cast<double>(index));
        frames.emplace_back(fake.SetState(entity, state), state);
    }
    std::int64_t give_up = std::min(end, NowNs() + 30'000'000'000);
    for (const auto& [frame, state] : frames) {
        if (auto sent_at = DeliveredNs(fake, frame, give_up))
            std::printf("sent %lld %s\n", static_cast<long long>(*sent_at), state.c_str());
        else
            std::fprintf(stderr, "bench_home_assistant: %s was never sent\n", state.c_str());
    }
    std::printf("done\n");
    std::fflush(stdout);
}

void Serve(const std::string& entity, long changes, long every_ms, double first, double step,
           double seconds) {
    // Blocked before the fake starts its threads, which inherit the mask.
    sigset_t signals;
    sigemptyset(&signals);
    for (int signal : {SIGUSR1, SIGTERM, SIGINT})
        sigaddset(&signals, signal);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::int64_t end = NowNs() + static_cast<std::int64_t>(seconds * 1e9);
    FakeHomeAssistant fake;
    fake.SetState(entity, State(first - 500));
    std::printf("serving %s token %s\n", fake.Url().c_str(), fake.Token().c_str());
    std::fflush(stdout);
    if (!AwaitStart(signals, end)) return;
    SendChanges(fake, entity, changes, every_ms, first, step, end);
    AwaitStart(signals, end); // serves the last value until stopped
}

std::string FirstLine(const std::string& path) {
    std::ifstream file(path);
    std::string line;
    if (!std::getline(file, line) || line.empty()) throw std::runtime_error("no token in " + path);
    return line;
}

/// Prints what the messages of one frame say: "subscribed", and the entity's states.
void Note(std::string_view frame, std::int64_t now, const std::string& entity) {
    for (const ha::ServerMessage& message : ha::ParseServerMessages(frame)) {
        using Type = ha::ServerMessage::Type;
        if (message.type == Type::AuthInvalid) throw std::runtime_error("auth refused");
        if (message.type == Type::AuthOk) continue;
        if (message.type == Type::Result) {
            if (!message.success) throw std::runtime_error("subscribe refused: " + message.error);
            std::printf("subscribed\n");
        }
        for (const ha::EntityUpdate& update : message.updates)
            if (update.entity_id == entity && update.state)
                std::printf("received %lld %s\n", static_cast<long long>(now),
                            update.state->c_str());
    }
    std::fflush(stdout);
}

void Listen(std::uint16_t port, const std::string& token, const std::string& entity,
            double seconds) {
    meteremu::WebSocketClient client({"127.0.0.1", port, "/api/websocket"}, {}, {});
    client.SendText(ha::AuthMessage(token)); // HA reads it after its auth_required
    client.SendText(ha::SubscribeEntitiesMessage(1, {entity}));
    std::int64_t end = NowNs() + static_cast<std::int64_t>(seconds * 1e9);
    while (NowNs() < end)
        if (auto frame = client.Receive(std::chrono::milliseconds(100)))
            Note(*frame, NowNs(), entity);
}

} // namespace

int main(int argc, char** argv) try {
    bool serve = argc > 1 && std::string_view(argv[1]) == "--serve";
    bool listen = argc > 1 && std::string_view(argv[1]) == "--listen";
    std::string entity = Option(argc, argv, "--entity", "");
    auto port = static_cast<std::uint16_t>(NumberOption(argc, argv, "--port", 0));
    std::string token_file = Option(argc, argv, "--token-file", "");
    if (serve == listen || entity.empty() || (listen && (!port || token_file.empty()))) {
        std::fprintf(stderr,
                     "usage: bench_home_assistant --serve --entity E [--changes 30] "
                     "[--every-ms 300] [--first 1000] [--step 37] [--seconds 90]\n"
                     "       bench_home_assistant --listen --port N --token-file F --entity E "
                     "[--seconds 90]\n");
        return 64;
    }
    prctl(PR_SET_TIMERSLACK, 1000UL);
    double seconds = std::stod(Option(argc, argv, "--seconds", "90"));
    if (serve)
        Serve(entity, NumberOption(argc, argv, "--changes", 30),
              NumberOption(argc, argv, "--every-ms", 300),
              std::stod(Option(argc, argv, "--first", "1000")),
              std::stod(Option(argc, argv, "--step", "37")), seconds);
    else
        Listen(port, FirstLine(token_file), entity, seconds);
    return 0;
} catch (const std::exception& error) {
    std::fprintf(stderr, "bench_home_assistant: %s\n", error.what());
    return 1;
}
