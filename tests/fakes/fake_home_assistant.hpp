// SPDX-License-Identifier: MIT
// A fake Home Assistant on the project's own servers (net/http_server, net/websocket_server):
// REST GET /api/states/<entity> and the WebSocket API at /api/websocket, strict where the
// real one is: a Bearer token on REST, "auth" first and only "auth" before auth_ok, ids that
// increase, subscribe_entities with a list of entity ids, ping/pong, unknown commands refused,
// unknown entities 404 (REST) and absent from the first event (WebSocket). A test changes an
// entity's state (pushed as a compressed "c" event to the subscribers), plays captured frames,
// stops answering pings, drops every connection, or goes down. It records when each pushed
// frame was handed to the server, so a test can time how soon the daemon serves it.
#pragma once

#include "net/http_server.hpp"
#include "net/websocket_server.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace meteremu::test {

class FakeHomeAssistant final : public HttpHandler, public WebSocketApp {
public:
    using Clock = std::chrono::steady_clock;

    explicit FakeHomeAssistant(std::string token = "fake-ha-token");
    ~FakeHomeAssistant() override;

    FakeHomeAssistant(const FakeHomeAssistant&) = delete;
    FakeHomeAssistant& operator=(const FakeHomeAssistant&) = delete;

    /// "http://127.0.0.1:<port>", for the url key.
    std::string Url() const;
    const std::string& Token() const noexcept { return token_; }

    /// Creates or changes an entity; subscribers get the change as a "c" event (a new entity
    /// as an "a" event). Returns the number of the frame, for DeliveredAt.
    unsigned SetState(const std::string& entity_id, const std::string& state,
                      const std::string& unit = "W");
    /// Removes an entity; subscribers get an "r" event.
    unsigned Remove(const std::string& entity_id);
    /// Sends `frame` as it is to every subscribed client (a captured frame).
    unsigned SendRaw(const std::string& frame);

    /// When frame `number` was handed to the WebSocket server to send; nullopt until then.
    std::optional<Clock::time_point> DeliveredAt(unsigned number) const;

    void SetAnswerPings(bool answer);
    /// Closes every WebSocket connection (close 1001, as a restarting instance does).
    void DropConnections();
    /// Refuses connections (down) or listens again on the same port (up).
    void SetDown(bool down);

    int Subscriptions() const;
    int AuthRefusals() const;
    int Pings() const;
    /// What the fake refused a client for (protocol errors), in order.
    std::vector<std::string> Rejections() const;

    // HttpHandler
    HttpResponse Handle(const HttpRequest& request) noexcept override;
    // WebSocketApp
    std::unique_ptr<WebSocketSession> Open() override;

private:
    class Session;
    struct Upgrader final : HttpUpgradeHandler {
        explicit Upgrader(FakeHomeAssistant& fake) : owner(fake) {}
        void Adopt(UpgradedSocket socket) noexcept override;
        FakeHomeAssistant& owner;
    };
    struct Entity {
        std::string state;
        std::string unit;
    };

    HttpResponse RestState(const HttpRequest& request);
    unsigned Broadcast(const std::string& frame);
    void Listen();
    void PushLoop(std::stop_token stop) noexcept;

    // Called by the sessions (on the WebSocket thread), under mutex_.
    friend class Session;
    std::string InitialEvent(std::int64_t id, const std::vector<std::string>& entities) const;
    /// Closes the WebSocket connections, then stops the HTTP server that upgraded them.
    void StopServers() noexcept;

    std::string token_;
    std::uint16_t port_ = 0;
    Upgrader upgrader_{*this};
    mutable std::mutex mutex_;
    std::map<std::string, Entity> entities_;
    std::vector<Session*> sessions_;
    std::map<unsigned, Clock::time_point> delivered_;
    unsigned next_frame_ = 1;
    bool answer_pings_ = true;
    int subscriptions_ = 0;
    int auth_refusals_ = 0;
    int pings_ = 0;
    std::vector<std::string> rejections_;
    std::unique_ptr<WebSocketServer> websocket_;
    std::unique_ptr<HttpServer> http_;
    std::atomic<bool> push_due_{false};
    std::jthread pusher_;
};

} // namespace meteremu::test
