// SPDX-License-Identifier: MIT
#include "net/websocket_client.hpp"

#include "util/base64.hpp"
#include "util/port_number.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <netdb.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>

namespace meteremu {
namespace {

using Kind = WebSocketClientError::Kind;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxHandshakeBytes = 8192;
constexpr std::chrono::milliseconds kStopCheck{100};

/// The milliseconds left until `deadline`, at most kStopCheck so a stop is seen in time.
int SliceUntil(SteadyTime deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return static_cast<int>(std::clamp(left, std::chrono::milliseconds(0), kStopCheck).count());
}

/// Waits for `events` on `fd` until `deadline`; throws Timeout or Cancelled.
void WaitFor(int fd, short events, SteadyTime deadline, std::stop_token stop,
             const std::string& peer) {
    for (;;) {
        if (stop.stop_requested()) throw WebSocketClientError(Kind::Cancelled, "stopped");
        if (Clock::now() >= deadline)
            throw WebSocketClientError(Kind::Timeout, "no answer from " + peer + " in time");
        pollfd entry{fd, events, 0};
        int ready = ::poll(&entry, 1, SliceUntil(deadline));
        if (ready > 0) return;
        if (ready < 0 && errno != EINTR)
            throw WebSocketClientError(Kind::Closed, peer + ": " + std::strerror(errno));
    }
}

/// A connected TCP socket to the first address of `url` that accepts, non-blocking.
UniqueFd ConnectTcp(const WebSocketUrl& url, SteadyTime deadline, std::stop_token stop,
                    const std::string& peer) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    std::string port = std::to_string(url.port);
    if (int error = ::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &found); error != 0)
        throw WebSocketClientError(Kind::Resolve,
                                   "cannot resolve " + url.host + ": " + ::gai_strerror(error));
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, ::freeaddrinfo);
    std::string failure = "no address";
    for (addrinfo* at = found; at; at = at->ai_next) {
        UniqueFd fd(::socket(at->ai_family, at->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (!fd.Valid()) continue;
        if (::connect(fd.Get(), at->ai_addr, at->ai_addrlen) != 0 && errno != EINPROGRESS) {
            failure = std::strerror(errno);
            continue;
        }
        WaitFor(fd.Get(), POLLOUT, deadline, stop, peer);
        int error = 0;
        socklen_t length = sizeof error;
        ::getsockopt(fd.Get(), SOL_SOCKET, SO_ERROR, &error, &length);
        if (error == 0) return fd;
        failure = std::strerror(error);
    }
    throw WebSocketClientError(Kind::Refused, "cannot connect to " + peer + ": " + failure);
}

/// The value of header `name` in a response head, nullopt when absent.
std::optional<std::string_view> HeaderValue(std::string_view head, std::string_view name) {
    for (std::size_t at = head.find("\r\n"); at != std::string_view::npos;) {
        std::size_t start = at + 2;
        std::size_t end = head.find("\r\n", start);
        std::string_view line = head.substr(start, end - start);
        at = end;
        std::size_t colon = line.find(':');
        if (colon != name.size() || strncasecmp(line.data(), name.data(), name.size()) != 0)
            continue;
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
            value.remove_prefix(1);
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
            value.remove_suffix(1);
        return value;
    }
    return std::nullopt;
}

/// Checks the server's answer to the handshake with key `key`; throws Handshake.
void CheckHandshakeAnswer(std::string_view head, std::string_view key, const std::string& peer) {
    long status = 0;
    if (head.starts_with("HTTP/1.1 ") && head.size() >= 12)
        std::from_chars(head.data() + 9, head.data() + 12, status);
    if (status != 101)
        throw WebSocketClientError(
            Kind::Handshake,
            peer + " answered the WebSocket handshake with HTTP " + std::to_string(status), status);
    auto upgrade = HeaderValue(head, "Upgrade");
    auto accept = HeaderValue(head, "Sec-WebSocket-Accept");
    if (!upgrade || strncasecmp(upgrade->data(), "websocket", 9) != 0 || upgrade->size() != 9 ||
        !accept || *accept != websocket::AcceptKey(key))
        throw WebSocketClientError(Kind::Handshake, peer + " answered the handshake without "
                                                           "a valid Sec-WebSocket-Accept");
}

} // namespace

std::optional<WebSocketUrl> ParseWebSocketUrl(std::string_view url) {
    if (!url.starts_with("ws://")) return std::nullopt;
    url.remove_prefix(5);
    WebSocketUrl parsed;
    std::size_t slash = url.find('/');
    if (slash != std::string_view::npos) parsed.path = url.substr(slash);
    auto split = SplitHostAndPort(url.substr(0, slash));
    if (!split) return std::nullopt;
    parsed.host = split->host;
    if (split->port) {
        auto port = ParsePortNumber(*split->port);
        if (!port) return std::nullopt;
        parsed.port = *port;
    }
    if (parsed.host.empty() || parsed.host.find_first_of("@/ []") != std::string::npos ||
        parsed.path.find_first_of(" \r\n") != std::string::npos)
        return std::nullopt;
    return parsed;
}

WebSocketClient::WebSocketClient(const WebSocketUrl& url, WebSocketClientOptions options,
                                 std::stop_token stop)
    : options_(options), peer_(url.host + ":" + std::to_string(url.port)),
      reader_(options.max_message_bytes, websocket::FramesFrom::Server),
      random_(std::random_device{}()) {
    auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(options.timeout);
    fd_ = ConnectTcp(url, deadline, stop, peer_);
    Handshake(url, deadline, stop);
}

void WebSocketClient::Handshake(const WebSocketUrl& url, SteadyTime deadline,
                                std::stop_token stop) {
    std::string nonce(16, '\0');
    for (char& byte : nonce)
        byte = static_cast<char>(random_() & 0xFF);
    std::string key = Base64Encode(nonce);
    bool v6 = url.host.find(':') != std::string::npos;
    std::string host = (v6 ? "[" + url.host + "]" : url.host) + ":" + std::to_string(url.port);
    std::string request = "GET " + url.path + " HTTP/1.1\r\nHost: " + host +
                          "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          "Sec-WebSocket-Key: " +
                          key + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    for (std::string_view rest = request; !rest.empty();) {
        WaitFor(fd_.Get(), POLLOUT, deadline, stop, peer_);
        ssize_t sent = ::send(fd_.Get(), rest.data(), rest.size(), MSG_NOSIGNAL);
        if (sent < 0 && errno != EAGAIN && errno != EINTR)
            throw WebSocketClientError(Kind::Closed, peer_ + ": " + std::strerror(errno));
        if (sent > 0) rest.remove_prefix(static_cast<std::size_t>(sent));
    }
    std::string answer;
    std::size_t end;
    while ((end = answer.find("\r\n\r\n")) == std::string::npos) {
        if (answer.size() > kMaxHandshakeBytes)
            throw WebSocketClientError(Kind::Handshake, peer_ + ": handshake answer too long");
        WaitFor(fd_.Get(), POLLIN, deadline, stop, peer_);
        char buffer[1024];
        ssize_t got = ::recv(fd_.Get(), buffer, sizeof buffer, 0);
        if (got == 0) throw WebSocketClientError(Kind::Closed, peer_ + " closed the connection");
        if (got < 0 && errno != EAGAIN && errno != EINTR)
            throw WebSocketClientError(Kind::Closed, peer_ + ": " + std::strerror(errno));
        if (got > 0) answer.append(buffer, static_cast<std::size_t>(got));
    }
    CheckHandshakeAnswer(std::string_view(answer).substr(0, end), key, peer_);
    pending_ = answer.substr(end + 4); // frames the server sent right after its answer
}

void WebSocketClient::SendText(std::string_view text) {
    SendFrame(websocket::Opcode::Text, text);
}

void WebSocketClient::SendFrame(websocket::Opcode opcode, std::string_view payload) {
    if (!fd_.Valid()) throw WebSocketClientError(Kind::Closed, peer_ + ": connection closed");
    websocket::MaskKey mask;
    for (auto& byte : mask)
        byte = static_cast<std::uint8_t>(random_() & 0xFF);
    std::string frame = websocket::EncodeMaskedFrame(opcode, payload, mask);
    auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(options_.timeout);
    for (std::string_view rest = frame; !rest.empty();) {
        WaitFor(fd_.Get(), POLLOUT, deadline, {}, peer_);
        ssize_t sent = ::send(fd_.Get(), rest.data(), rest.size(), MSG_NOSIGNAL);
        if (sent < 0 && errno != EAGAIN && errno != EINTR) {
            std::string reason = std::strerror(errno);
            fd_.Reset();
            throw WebSocketClientError(Kind::Closed, peer_ + ": " + reason);
        }
        if (sent > 0) rest.remove_prefix(static_cast<std::size_t>(sent));
    }
}

bool WebSocketClient::ReadSome(std::chrono::milliseconds wait) {
    if (pending_.empty()) {
        pollfd entry{fd_.Get(), POLLIN, 0};
        int ready = ::poll(&entry, 1, static_cast<int>(wait.count()));
        if (ready <= 0) return false;
        char buffer[16384];
        ssize_t got = ::recv(fd_.Get(), buffer, sizeof buffer, 0);
        if (got == 0) {
            fd_.Reset();
            throw WebSocketClientError(Kind::Closed, peer_ + " closed the connection");
        }
        if (got < 0) {
            if (errno == EAGAIN || errno == EINTR) return false;
            std::string reason = std::strerror(errno);
            fd_.Reset();
            throw WebSocketClientError(Kind::Closed, peer_ + ": " + reason);
        }
        pending_.assign(buffer, static_cast<std::size_t>(got));
    }
    pending_.erase(0, reader_.Feed(pending_));
    return true;
}

std::optional<std::string> WebSocketClient::Receive(std::chrono::milliseconds wait) {
    if (!fd_.Valid()) throw WebSocketClientError(Kind::Closed, peer_ + ": connection closed");
    auto deadline = Clock::now() + wait;
    for (;;) {
        while (auto event = reader_.Next())
            if (auto text = Handle(std::move(*event))) return text;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (!ReadSome(std::max(left, std::chrono::milliseconds(0))) && Clock::now() >= deadline)
            return std::nullopt;
    }
}

std::optional<std::string> WebSocketClient::Handle(websocket::Event event) {
    using websocket::Event;
    switch (event.kind) {
    case Event::Kind::Text:
        return std::move(event.payload);
    case Event::Kind::Ping:
        SendFrame(websocket::Opcode::Pong, event.payload);
        return std::nullopt;
    case Event::Kind::Pong:
        return std::nullopt;
    case Event::Kind::Close: {
        std::string code = event.code == websocket::close_code::kNoStatus
                               ? "no code"
                               : "code " + std::to_string(event.code);
        Close();
        throw WebSocketClientError(Kind::Closed, peer_ + " closed the WebSocket (" + code + ")");
    }
    case Event::Kind::Fail:
        break;
    }
    try {
        SendFrame(websocket::Opcode::Close, websocket::CloseBody(event.code, event.payload));
    } catch (const WebSocketClientError&) {
    }
    fd_.Reset();
    throw WebSocketClientError(Kind::Protocol,
                               peer_ + " broke the WebSocket protocol: " + event.payload);
}

void WebSocketClient::Close() noexcept {
    if (!fd_.Valid()) return;
    try {
        SendFrame(websocket::Opcode::Close, websocket::CloseBody(websocket::close_code::kNormal));
    } catch (...) {
        // Best effort: the peer may be gone already.
    }
    fd_.Reset();
}

} // namespace meteremu
