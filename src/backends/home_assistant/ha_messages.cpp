// SPDX-License-Identifier: MIT
#include "backends/home_assistant/ha_messages.hpp"

#include "util/json.hpp"
#include "util/log_text.hpp"

#include <charconv>
#include <cmath>

namespace meteremu::home_assistant {
namespace {

using Type = ServerMessage::Type;

constexpr std::size_t kQuoteLimit = 60;

std::string Quoted(std::string_view text) {
    return "\"" + LogText(text, kQuoteLimit) + "\"";
}

JsonPtr Load(std::string_view text) {
    json_error_t error;
    JsonPtr root(json_loadb(text.data(), text.size(), JSON_DECODE_ANY, &error));
    if (!root) throw MessageError("not JSON: " + Quoted(text) + " (" + LogText(error.text) + ")");
    return root;
}

std::optional<std::string> StringMember(const json_t* object, const char* key) {
    const json_t* value = json_object_get(object, key);
    if (!json_is_string(value)) return std::nullopt;
    return std::string(json_string_value(value), json_string_length(value));
}

Type TypeOf(const std::string& type) {
    if (type == "auth_required") return Type::AuthRequired;
    if (type == "auth_ok") return Type::AuthOk;
    if (type == "auth_invalid") return Type::AuthInvalid;
    if (type == "result") return Type::Result;
    if (type == "event") return Type::Event;
    if (type == "pong") return Type::Pong;
    return Type::Other;
}

EntityUpdate NewUpdate(std::string entity_id, EntityUpdate::Kind kind) {
    EntityUpdate update;
    update.entity_id = std::move(entity_id);
    update.kind = kind;
    return update;
}

/// The unit an attributes object sets, if it names one.
void ReadUnit(const json_t* attributes, EntityUpdate& update) {
    if (!json_is_object(attributes)) return;
    if (const json_t* unit = json_object_get(attributes, "unit_of_measurement"))
        update.unit = json_is_string(unit) ? std::string(json_string_value(unit)) : std::string();
}

/// One entity's compressed state {"s":…, "a":{…}} (of "a", or of a diff's "+").
void ReadCompressed(const json_t* state, EntityUpdate& update) {
    if (!json_is_object(state))
        throw MessageError("the state of " + Quoted(update.entity_id) + " is not an object");
    if (const json_t* text = json_object_get(state, "s")) {
        if (!json_is_string(text))
            throw MessageError("the state of " + Quoted(update.entity_id) + " is not a string");
        update.state = std::string(json_string_value(text), json_string_length(text));
    }
    ReadUnit(json_object_get(state, "a"), update);
}

/// A diff {"+":{…}, "-":{"a":[names]}}.
void ReadDiff(const json_t* diff, EntityUpdate& update) {
    if (!json_is_object(diff))
        throw MessageError("the change of " + Quoted(update.entity_id) + " is not an object");
    if (const json_t* added = json_object_get(diff, "+")) ReadCompressed(added, update);
    const json_t* removed = json_object_get(json_object_get(diff, "-"), "a");
    std::size_t index;
    const json_t* name;
    json_array_foreach(removed, index, name) {
        if (json_is_string(name) &&
            std::string_view(json_string_value(name)) == "unit_of_measurement")
            update.unit_removed = true;
    }
}

void ReadEvent(const json_t* event, ServerMessage& message) {
    if (!json_is_object(event)) throw MessageError("an event without an event object");
    const char* id;
    const json_t* value;
    json_object_foreach(const_cast<json_t*>(json_object_get(event, "a")), id, value) {
        EntityUpdate& update =
            message.updates.emplace_back(NewUpdate(id, EntityUpdate::Kind::Full));
        ReadCompressed(value, update);
    }
    json_object_foreach(const_cast<json_t*>(json_object_get(event, "c")), id, value) {
        EntityUpdate& update =
            message.updates.emplace_back(NewUpdate(id, EntityUpdate::Kind::Diff));
        ReadDiff(value, update);
    }
    std::size_t index;
    json_array_foreach(json_object_get(event, "r"), index, value) {
        if (json_is_string(value))
            message.updates.push_back(
                NewUpdate(json_string_value(value), EntityUpdate::Kind::Removed));
    }
}

std::string ResultError(const json_t* object) {
    const json_t* error = json_object_get(object, "error");
    std::string code = StringMember(error, "code").value_or("error");
    std::string text = StringMember(error, "message").value_or("");
    return LogText(code, kQuoteLimit) + ": " + LogText(text, kQuoteLimit);
}

ServerMessage ReadMessage(const json_t* object) {
    if (!json_is_object(object)) throw MessageError("a message that is not a JSON object");
    auto type = StringMember(object, "type");
    if (!type) throw MessageError("a message without a type");
    ServerMessage message;
    message.type = TypeOf(*type);
    if (const json_t* id = json_object_get(object, "id"); json_is_integer(id))
        message.id = json_integer_value(id);
    if (message.type == Type::AuthInvalid)
        message.error = LogText(StringMember(object, "message").value_or(""), kQuoteLimit);
    if (message.type == Type::Result) {
        message.success = json_is_true(json_object_get(object, "success"));
        if (!message.success) message.error = ResultError(object);
    }
    if (message.type == Type::Event) ReadEvent(json_object_get(object, "event"), message);
    return message;
}

/// A finite decimal number and nothing else.
std::optional<double> Number(std::string_view text) {
    double value = 0;
    const char* end = text.data() + text.size();
    auto [stop, error] = std::from_chars(text.data(), end, value);
    if (text.empty() || error != std::errc() || stop != end || !std::isfinite(value))
        return std::nullopt;
    return value;
}

std::string Dump(const JsonPtr& message) {
    JsonText text(json_dumps(message.get(), JSON_COMPACT));
    if (!text) throw std::bad_alloc();
    return text.get();
}

} // namespace

std::vector<ServerMessage> ParseServerMessages(std::string_view text) {
    JsonPtr root = Load(text);
    std::vector<ServerMessage> messages;
    if (!json_is_array(root.get())) {
        messages.push_back(ReadMessage(root.get()));
        return messages;
    }
    std::size_t index;
    const json_t* value;
    json_array_foreach(root.get(), index, value) {
        messages.push_back(ReadMessage(value));
    }
    return messages;
}

EntityUpdate ParseRestState(std::string_view body) {
    JsonPtr root = Load(body);
    auto id = StringMember(root.get(), "entity_id");
    auto state = StringMember(root.get(), "state");
    if (!id || !state) throw MessageError("a state without entity_id or state: " + Quoted(body));
    EntityUpdate update = NewUpdate(*id, EntityUpdate::Kind::Full);
    update.state = std::move(state);
    ReadUnit(json_object_get(root.get(), "attributes"), update);
    return update;
}

std::optional<double> Watts(std::string_view state, const std::optional<std::string>& unit) {
    if (state == "unavailable" || state == "unknown") return std::nullopt;
    auto number = Number(state);
    if (!number) throw MessageError("the state " + Quoted(state) + " is not a number");
    if (!unit || *unit == "W") return *number;
    if (*unit == "kW") return *number * 1e3;
    if (*unit == "MW") return *number * 1e6;
    throw MessageError("the unit " + Quoted(*unit) + " is not one of power (W, kW or MW)");
}

std::string AuthMessage(const std::string& token) {
    return Dump(JsonPtr(
        json_pack("{s:s, s:s%}", "type", "auth", "access_token", token.data(), token.size())));
}

std::string SubscribeEntitiesMessage(std::int64_t id, const std::vector<std::string>& entities) {
    JsonPtr ids(json_array());
    for (const std::string& entity : entities)
        json_array_append_new(ids.get(), json_stringn(entity.data(), entity.size()));
    return Dump(JsonPtr(json_pack("{s:I, s:s, s:O}", "id", static_cast<json_int_t>(id), "type",
                                  "subscribe_entities", "entity_ids", ids.get())));
}

std::string PingMessage(std::int64_t id) {
    return Dump(
        JsonPtr(json_pack("{s:I, s:s}", "id", static_cast<json_int_t>(id), "type", "ping")));
}

} // namespace meteremu::home_assistant
