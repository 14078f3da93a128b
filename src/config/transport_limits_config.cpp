// SPDX-License-Identifier: MIT
#include "config/transport_limits_config.hpp"

namespace meteremu {
namespace {

constexpr std::int64_t kMaxCount = 100000;
constexpr std::int64_t kMaxBytes = 1024 * 1024;
/// The largest payload of a UDP datagram over IPv4.
constexpr std::int64_t kMaxDatagram = 65507;
constexpr double kMaxIdleTimeout = 3600;
constexpr double kMaxWebSocketIdle = 86400;
/// A gigabyte per second: past any network a meter sits on.
constexpr std::int64_t kMaxReplyBytes = 1024 * 1024 * 1024;
/// Connections upgraded beyond max_websocket_clients still pass through libmicrohttpd while
/// the WebSocket server tells them to come back later; this much room is kept for them.
constexpr std::size_t kUpgradeRefusalRoom = 8;

std::size_t Size(std::int64_t value) {
    return static_cast<std::size_t>(value);
}

void ParseHttp(ConfigSection& section, HttpLimits& http) {
    http.max_connections =
        Size(section.Count("max_connections", Size(http.max_connections), 1, kMaxCount));
    http.max_connections_per_address = Size(section.Count(
        "max_connections_per_address", Size(http.max_connections_per_address), 1, kMaxCount));
    double timeout = section.Seconds(
        "idle_timeout", std::chrono::duration<double>(http.idle_timeout).count(), kMaxIdleTimeout);
    http.idle_timeout =
        std::chrono::ceil<std::chrono::milliseconds>(std::chrono::duration<double>(timeout));
    http.max_header_bytes =
        Size(section.Count("max_header_bytes", Size(http.max_header_bytes), 1024, kMaxBytes));
    http.max_body_bytes =
        Size(section.Count("max_body_bytes", Size(http.max_body_bytes), 256, kMaxBytes));
}

} // namespace

AllowList ParseAllow(ConfigSection& section) {
    auto entries = section.StringArray("allow");
    if (!entries) return {};
    std::vector<IpNetwork> networks;
    for (std::size_t i = 0; i < entries->size(); ++i) {
        std::string error;
        if (auto network = IpNetwork::Parse((*entries)[i], error))
            networks.push_back(*network);
        else
            section.ErrorAtElement("allow", i, error);
    }
    return AllowList(std::move(networks));
}

void ParseTransportLimits(ConfigSection& section, TransportLimits& limits) {
    limits.allow = ParseAllow(section);
    ParseHttp(section, limits.http);
    auto& websocket = limits.websocket;
    websocket.max_clients =
        Size(section.Count("max_websocket_clients", Size(websocket.max_clients), 0, kMaxCount));
    websocket.max_message_bytes = Size(section.Count(
        "max_websocket_message_bytes", Size(websocket.max_message_bytes), 256, kMaxBytes));
    double idle = section.Bounded("websocket_idle_timeout",
                                  std::chrono::duration<double>(websocket.idle_timeout).count(), 0,
                                  kMaxWebSocketIdle);
    websocket.idle_timeout =
        std::chrono::ceil<std::chrono::milliseconds>(std::chrono::duration<double>(idle));
    limits.http.max_upgraded = websocket.max_clients + kUpgradeRefusalRoom;
    auto& udp = limits.udp;
    udp.max_request_bytes =
        Size(section.Count("max_udp_request_bytes", Size(udp.max_request_bytes), 64, kMaxDatagram));
    udp.reply_rate = section.Bounded("udp_reply_rate", udp.reply_rate, 0, kMaxCount);
    udp.reply_bytes_per_second = Size(section.Count(
        "udp_reply_bytes_per_second", Size(udp.reply_bytes_per_second), 0, kMaxReplyBytes));
}

} // namespace meteremu
