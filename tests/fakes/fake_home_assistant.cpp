// SPDX-License-Identifier: MIT
#include "fakes/fake_home_assistant.hpp"

#include "net/socket.hpp"
#include "util/json.hpp"

#include <algorithm>
#include <deque>

namespace meteremu::test {
namespace {

constexpr std::string_view kStatesPrefix = "/api/states/";

std::string Dump(json_t* value) {
    JsonPtr owned(value);
    JsonText text(json_dumps(owned.get(), JSON_COMPACT));
    return text ? std::string(text.get()) : std::string();
}

/// The compressed state HA sends in an "a" event.
json_t* CompressedState(const std::string& state, const std::string& unit) {
    return json_pack("{s:s, s:{s:s, s:s, s:s}, s:s, s:f}", "s", state.c_str(), "a", "state_class",
                     "measurement", "unit_of_measurement", unit.c_str(), "device_class", "power",
                     "c", "01K0FAKECONTEXT0000000000", "lc", 1784542502.5);
}

std::string Event(std::int64_t id, json_t* event) {
    return Dump(json_pack("{s:I, s:s, s:o}", "id", static_cast<json_int_t>(id), "type", "event",
                          "event", event));
}

std::string Result(std::int64_t id, bool success, const char* code = "", const char* text = "") {
    if (success)
        return Dump(json_pack("{s:I, s:s, s:b, s:n}", "id", static_cast<json_int_t>(id), "type",
                              "result", "success", 1, "result"));
    return Dump(json_pack("{s:I, s:s, s:b, s:{s:s, s:s}}", "id", static_cast<json_int_t>(id),
                          "type", "result", "success", 0, "error", "code", code, "message", text));
}

HttpResponse Reply(unsigned status, std::string body,
                   std::string_view content_type = "application/json") {
    HttpResponse response;
    response.status = status;
    response.body = std::move(body);
    response.content_type = content_type;
    return response;
}

WebSocketAnswer Answer(std::string text) {
    WebSocketAnswer answer;
    answer.text = std::move(text);
    return answer;
}

} // namespace

/// One client's conversation, as HA's websocket_api holds it: the auth phase, then commands.
class FakeHomeAssistant::Session final : public WebSocketSession {
public:
    explicit Session(FakeHomeAssistant& fake) : fake_(fake) {
        std::lock_guard lock(fake_.mutex_);
        fake_.sessions_.push_back(this);
        Queue(R"({"type":"auth_required","ha_version":"2026.7.2"})", 0);
    }
    ~Session() override {
        std::lock_guard lock(fake_.mutex_);
        std::erase(fake_.sessions_, this);
    }

    std::optional<WebSocketAnswer> OnMessage(std::string_view text) noexcept override {
        try {
            std::lock_guard lock(fake_.mutex_);
            if (dead_) return std::nullopt;
            json_error_t error;
            JsonPtr message(json_loadb(text.data(), text.size(), 0, &error));
            if (!authenticated_) return Authenticate(message.get());
            return Command(message.get());
        } catch (...) {
            return std::nullopt;
        }
    }

    std::optional<std::string> OnPush() noexcept override {
        std::lock_guard lock(fake_.mutex_);
        if (outbox_.empty()) return std::nullopt;
        auto [frame, number] = std::move(outbox_.front());
        outbox_.pop_front();
        if (number) fake_.delivered_.try_emplace(number, Clock::now());
        return frame;
    }

    // Under the fake's mutex.
    bool Pending() const { return !outbox_.empty(); }
    void Queue(std::string frame, unsigned number) {
        outbox_.emplace_back(std::move(frame), number);
    }
    bool Follows(const std::string& entity_id) const {
        return subscription_ &&
               std::find(entities_.begin(), entities_.end(), entity_id) != entities_.end();
    }
    bool Subscribed() const { return subscription_.has_value(); }
    std::int64_t SubscriptionId() const { return *subscription_; }

private:
    std::optional<WebSocketAnswer> Refuse(const std::string& why, const char* answer) {
        fake_.rejections_.push_back(why);
        dead_ = true; // HA closes the connection after an auth_invalid
        return Answer(answer);
    }

    std::optional<WebSocketAnswer> Authenticate(const json_t* message) {
        const char* type = json_string_value(json_object_get(message, "type"));
        const char* token = json_string_value(json_object_get(message, "access_token"));
        if (!type || std::string_view(type) != "auth" || !token)
            return Refuse(
                "a message other than auth before auth_ok",
                R"({"type":"auth_invalid","message":"Auth message incorrectly formatted"})");
        if (token != fake_.token_) {
            ++fake_.auth_refusals_;
            return Refuse(
                "wrong token",
                R"({"type":"auth_invalid","message":"Invalid access token or password"})");
        }
        authenticated_ = true;
        return Answer(R"({"type":"auth_ok","ha_version":"2026.7.2"})");
    }

    std::optional<WebSocketAnswer> Command(const json_t* message) {
        const json_t* id = json_object_get(message, "id");
        const char* type = json_string_value(json_object_get(message, "type"));
        if (!json_is_integer(id) || !type) {
            fake_.rejections_.push_back("a command without an integer id or a type");
            return Answer(Result(0, false, "invalid_format", "Message incorrectly formatted."));
        }
        std::int64_t number = json_integer_value(id);
        if (number <= last_id_) {
            fake_.rejections_.push_back("an id that does not increase");
            return Answer(Result(number, false, "id_reuse", "Identifier values have to increase."));
        }
        last_id_ = number;
        std::string_view command = type;
        if (command == "ping") {
            ++fake_.pings_;
            if (!fake_.answer_pings_) return std::nullopt;
            return Answer(R"({"id":)" + std::to_string(number) + R"(,"type":"pong"})");
        }
        if (command == "subscribe_entities") return Subscribe(number, message);
        fake_.rejections_.push_back("unknown command " + std::string(command));
        return Answer(Result(number, false, "unknown_command", "Unknown command."));
    }

    std::optional<WebSocketAnswer> Subscribe(std::int64_t id, const json_t* message) {
        const json_t* ids = json_object_get(message, "entity_ids");
        std::size_t index;
        const json_t* value;
        entities_.clear();
        json_array_foreach(ids, index, value) {
            if (!json_is_string(value))
                ids = nullptr;
            else
                entities_.emplace_back(json_string_value(value));
        }
        if (!json_is_array(ids) || entities_.empty()) {
            fake_.rejections_.push_back("subscribe_entities without a list of entity ids");
            return Answer(Result(id, false, "invalid_format", "Message incorrectly formatted."));
        }
        ++fake_.subscriptions_;
        subscription_ = id;
        Queue(fake_.InitialEvent(id, entities_), 0);
        return Answer(Result(id, true));
    }

    FakeHomeAssistant& fake_;
    bool authenticated_ = false;
    bool dead_ = false;
    std::int64_t last_id_ = 0;
    std::optional<std::int64_t> subscription_;
    std::vector<std::string> entities_;
    std::deque<std::pair<std::string, unsigned>> outbox_;
};

void FakeHomeAssistant::Upgrader::Adopt(UpgradedSocket socket) noexcept {
    std::lock_guard lock(owner.mutex_);
    if (owner.websocket_) owner.websocket_->Adopt(std::move(socket));
}

FakeHomeAssistant::FakeHomeAssistant(std::string token) : token_(std::move(token)) {
    websocket_ = std::make_unique<WebSocketServer>(*this);
    Listen();
    pusher_ = std::jthread([this](std::stop_token stop) { PushLoop(stop); });
}

FakeHomeAssistant::~FakeHomeAssistant() {
    pusher_ = {};
    StopServers();
}

void FakeHomeAssistant::StopServers() noexcept {
    // libmicrohttpd frees its upgraded connections when the HTTP server stops: every one must be
    // closed before. With no WebSocket server, Upgrader::Adopt closes what upgrades meanwhile.
    std::unique_ptr<WebSocketServer> websocket;
    {
        std::lock_guard lock(mutex_);
        websocket = std::move(websocket_);
    }
    if (websocket) websocket->Stop();
    websocket.reset();
    http_.reset();
}

void FakeHomeAssistant::Listen() {
    http_ = std::make_unique<HttpServer>(BindSocket(SocketKind::Stream, "127.0.0.1", port_), *this);
    port_ = http_->Port();
}

std::string FakeHomeAssistant::Url() const {
    return "http://127.0.0.1:" + std::to_string(port_);
}

void FakeHomeAssistant::PushLoop(std::stop_token stop) noexcept {
    while (!stop.stop_requested()) {
        bool pending = false;
        {
            std::lock_guard lock(mutex_);
            for (Session* session : sessions_)
                pending = pending || session->Pending();
            if (pending && websocket_) websocket_->Push();
        }
        std::this_thread::sleep_for(pending ? std::chrono::microseconds(200)
                                            : std::chrono::milliseconds(2));
    }
}

std::unique_ptr<WebSocketSession> FakeHomeAssistant::Open() {
    return std::make_unique<Session>(*this);
}

std::string FakeHomeAssistant::InitialEvent(std::int64_t id,
                                            const std::vector<std::string>& entities) const {
    json_t* added = json_object();
    for (const std::string& entity : entities)
        if (auto found = entities_.find(entity); found != entities_.end())
            json_object_set_new(added, entity.c_str(),
                                CompressedState(found->second.state, found->second.unit));
    return Event(id, json_pack("{s:o}", "a", added));
}

unsigned FakeHomeAssistant::SetState(const std::string& entity_id, const std::string& state,
                                     const std::string& unit) {
    std::lock_guard lock(mutex_);
    auto [entity, created] = entities_.try_emplace(entity_id);
    bool unit_changed = created || entity->second.unit != unit;
    entity->second = {state, unit};
    unsigned number = next_frame_++;
    for (Session* session : sessions_) {
        if (!session->Follows(entity_id)) continue;
        json_t* event;
        if (created) {
            event = json_pack("{s:{s:o}}", "a", entity_id.c_str(), CompressedState(state, unit));
        } else {
            json_t* plus = json_pack("{s:s, s:f}", "s", state.c_str(), "lc", 1784542600.25);
            if (unit_changed)
                json_object_set_new(plus, "a",
                                    json_pack("{s:s}", "unit_of_measurement", unit.c_str()));
            event = json_pack("{s:{s:{s:o}}}", "c", entity_id.c_str(), "+", plus);
        }
        session->Queue(Event(session->SubscriptionId(), event), number);
    }
    return number;
}

unsigned FakeHomeAssistant::Remove(const std::string& entity_id) {
    std::lock_guard lock(mutex_);
    entities_.erase(entity_id);
    unsigned number = next_frame_++;
    for (Session* session : sessions_)
        if (session->Follows(entity_id))
            session->Queue(
                Event(session->SubscriptionId(), json_pack("{s:[s]}", "r", entity_id.c_str())),
                number);
    return number;
}

unsigned FakeHomeAssistant::SendRaw(const std::string& frame) {
    std::lock_guard lock(mutex_);
    unsigned number = next_frame_++;
    for (Session* session : sessions_)
        if (session->Subscribed()) session->Queue(frame, number);
    return number;
}

std::optional<FakeHomeAssistant::Clock::time_point>
FakeHomeAssistant::DeliveredAt(unsigned number) const {
    std::lock_guard lock(mutex_);
    auto found = delivered_.find(number);
    if (found == delivered_.end()) return std::nullopt;
    return found->second;
}

HttpResponse FakeHomeAssistant::Handle(const HttpRequest& request) noexcept {
    try {
        if (request.path == "/api/websocket" && IsWebSocketUpgrade(request))
            return WebSocketHandshake(request, upgrader_, *this);
        if (request.method == "GET" && request.path.starts_with(kStatesPrefix))
            return RestState(request);
        return Reply(404, R"({"message":"Not found"})");
    } catch (...) {
        return Reply(500, "{}");
    }
}

HttpResponse FakeHomeAssistant::RestState(const HttpRequest& request) {
    auto authorization = request.Header("Authorization");
    std::lock_guard lock(mutex_);
    if (!authorization || *authorization != "Bearer " + token_) {
        ++auth_refusals_;
        return Reply(401, "401: Unauthorized", "text/plain; charset=utf-8");
    }
    std::string id(request.path.substr(kStatesPrefix.size()));
    auto found = entities_.find(id);
    if (found == entities_.end()) return Reply(404, R"({"message":"Entity not found."})");
    return Reply(200, Dump(json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:s, s:s}", "entity_id",
                                     id.c_str(), "state", found->second.state.c_str(), "attributes",
                                     "state_class", "measurement", "unit_of_measurement",
                                     found->second.unit.c_str(), "device_class", "power",
                                     "last_changed", "2026-07-20T10:15:02.481516+00:00",
                                     "last_updated", "2026-07-20T10:15:02.481516+00:00")));
}

void FakeHomeAssistant::SetAnswerPings(bool answer) {
    std::lock_guard lock(mutex_);
    answer_pings_ = answer;
}

void FakeHomeAssistant::DropConnections() {
    auto fresh = std::make_unique<WebSocketServer>(*this);
    std::unique_ptr<WebSocketServer> old;
    {
        std::lock_guard lock(mutex_);
        old = std::exchange(websocket_, std::move(fresh));
    }
    old->Stop();
}

void FakeHomeAssistant::SetDown(bool down) {
    if (!down) {
        if (!http_) Listen();
        return;
    }
    StopServers();
    auto fresh = std::make_unique<WebSocketServer>(*this);
    std::lock_guard lock(mutex_);
    websocket_ = std::move(fresh);
}

int FakeHomeAssistant::Subscriptions() const {
    std::lock_guard lock(mutex_);
    return subscriptions_;
}

int FakeHomeAssistant::AuthRefusals() const {
    std::lock_guard lock(mutex_);
    return auth_refusals_;
}

int FakeHomeAssistant::Pings() const {
    std::lock_guard lock(mutex_);
    return pings_;
}

std::vector<std::string> FakeHomeAssistant::Rejections() const {
    std::lock_guard lock(mutex_);
    return rejections_;
}

} // namespace meteremu::test
