// SPDX-License-Identifier: MIT
// The opening handshake of a WebSocket (RFC 6455 §4.2): checks the upgrade request and
// answers it with 101, or with the error a client can act on.
#include "net/websocket_protocol.hpp"
#include "net/websocket_server.hpp"

#include <strings.h>

namespace meteremu {
namespace {

/// Whether the comma-separated header `value` has `token` (any case).
bool HasToken(std::string_view value, std::string_view token) {
    while (!value.empty()) {
        size_t comma = value.find(',');
        std::string_view item = value.substr(0, comma);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
            item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t'))
            item.remove_suffix(1);
        if (item.size() == token.size() &&
            strncasecmp(item.data(), token.data(), token.size()) == 0)
            return true;
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
    return false;
}

} // namespace

bool IsWebSocketUpgrade(const HttpRequest& request) {
    auto upgrade = request.Header("Upgrade");
    return upgrade && HasToken(*upgrade, "websocket");
}

HttpResponse WebSocketHandshake(const HttpRequest& request, HttpUpgradeHandler& upgrade,
                                const HttpHandler& refuser) {
    if (request.method != "GET") return refuser.Refuse({405, "A WebSocket opens with GET"});
    auto connection = request.Header("Connection");
    if (!connection || !HasToken(*connection, "upgrade"))
        return refuser.Refuse({400, "Connection: Upgrade is missing"});
    auto version = request.Header("Sec-WebSocket-Version");
    if (!version || *version != "13") {
        HttpResponse response = refuser.Refuse({426, "Only WebSocket version 13 is spoken"});
        response.headers.emplace_back("Sec-WebSocket-Version", "13");
        return response;
    }
    auto key = request.Header("Sec-WebSocket-Key");
    auto accept = key ? websocket::AcceptKey(*key) : std::nullopt;
    if (!accept) return refuser.Refuse({400, "Sec-WebSocket-Key is missing or invalid"});
    // libmicrohttpd adds "Connection: Upgrade" to a 101 by itself.
    HttpResponse response{101, {}, {}, {}, &upgrade};
    response.headers.emplace_back("Upgrade", "websocket");
    response.headers.emplace_back("Sec-WebSocket-Accept", std::move(*accept));
    return response;
}

} // namespace meteremu
