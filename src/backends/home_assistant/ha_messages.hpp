// SPDX-License-Identifier: MIT
// Home Assistant's messages, without any I/O: what the server sends over its WebSocket API
// (auth_required, auth_ok, auth_invalid, result, the compressed state events of
// subscribe_entities, pong; one message or an array of them), the body of
// GET /api/states/<entity>, an entity's state text and unit as watts, and the messages the
// client sends. See docs/protocols/home-assistant.md#messages.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace meteremu::home_assistant {

/// What a message says about one entity. A diff leaves what it does not mention unchanged.
struct EntityUpdate {
    enum class Kind {
        Full,    ///< the whole state ("a" of an event, or the REST body)
        Diff,    ///< what changed ("c" of an event)
        Removed, ///< the entity is gone ("r" of an event)
    };
    std::string entity_id;
    Kind kind = Kind::Full;
    std::optional<std::string> state;
    std::optional<std::string> unit; ///< unit_of_measurement, when the update sets it
    bool unit_removed = false;       ///< the diff removes unit_of_measurement
};

struct ServerMessage {
    enum class Type { AuthRequired, AuthOk, AuthInvalid, Result, Event, Pong, Other };
    Type type = Type::Other;
    std::optional<std::int64_t> id;
    bool success = false;
    std::string error; ///< auth_invalid's message, or a failed result's "code: message"
    std::vector<EntityUpdate> updates;
};

/// A message that is not what Home Assistant sends. The text quotes at most a few dozen
/// characters of the message.
class MessageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// One WebSocket text frame: one message, or an array of them (coalesced). Messages of types
/// it does not know are Other. Throws MessageError.
std::vector<ServerMessage> ParseServerMessages(std::string_view text);

/// The body of GET /api/states/<entity>: a Full update. Throws MessageError.
EntityUpdate ParseRestState(std::string_view body);

/// The state of a power sensor in W: nullopt when it has none ("unavailable", "unknown").
/// "kW" and "MW" are converted; no unit is W. Throws MessageError for a state that is not a
/// number, or a unit that is not one of power.
std::optional<double> Watts(std::string_view state, const std::optional<std::string>& unit);

/// The messages the client sends.
std::string AuthMessage(const std::string& token);
std::string SubscribeEntitiesMessage(std::int64_t id, const std::vector<std::string>& entities);
std::string PingMessage(std::int64_t id);

} // namespace meteremu::home_assistant
