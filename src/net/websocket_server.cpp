// SPDX-License-Identifier: MIT
#include "net/websocket_server.hpp"

#include "net/websocket_connection.hpp"
#include "net/websocket_protocol.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <system_error>

namespace meteremu {
namespace {

using websocket::close_code::kGoingAway;
using websocket::close_code::kNormal;
using websocket::close_code::kNoStatus;
using websocket::close_code::kPolicyViolation;
using websocket::close_code::kTryAgainLater;

constexpr std::uint64_t kWakeId = 0;
/// Read at most this much from one client per wake, so one client cannot starve the others.
constexpr size_t kReadBudget = 64 * 1024;
/// How long Stop() waits for the clients' close frames.
constexpr auto kStopWait = std::chrono::milliseconds(300);
/// The loop ticks its heartbeat at least this often, also when nothing happens.
constexpr int kHeartbeatMs = static_cast<int>(kHeartbeatPeriod.count());

/// A dead peer (a laptop that left the network) is noticed within about two minutes.
void TuneSocket(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0) fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    int on = 1;
    int idle = 60;
    int interval = 15;
    int count = 4;
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

} // namespace

WebSocketServer::WebSocketServer(WebSocketApp& app, const WebSocketLimits& limits,
                                 ClientTracker* clients, const ClientFilter* filter,
                                 SampleGate* gate)
    : app_(app), limits_(limits), clients_(clients), filter_(filter), gate_(gate) {
    epoll_.Reset(epoll_create1(EPOLL_CLOEXEC));
    wake_.Reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!epoll_.Valid() || !wake_.Valid())
        throw std::system_error(errno, std::generic_category(), "WebSocket server");
    epoll_event event{EPOLLIN, {.u64 = kWakeId}};
    if (epoll_ctl(epoll_.Get(), EPOLL_CTL_ADD, wake_.Get(), &event))
        throw std::system_error(errno, std::generic_category(), "epoll_ctl");
    thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
}

WebSocketServer::~WebSocketServer() {
    Stop();
}

void WebSocketServer::Wake() noexcept {
    std::uint64_t one = 1;
    [[maybe_unused]] auto written = write(wake_.Get(), &one, sizeof one);
}

void WebSocketServer::Adopt(UpgradedSocket socket) noexcept try {
    std::lock_guard lock(mutex_);
    if (stopping_) return; // `socket` closes here, while libmicrohttpd still runs
    adopted_.push_back(std::move(socket));
    Wake();
} catch (...) {
    // Out of memory: `socket` closes as it goes out of scope.
}

void WebSocketServer::Push() noexcept {
    push_due_.store(true);
    Wake();
}

void WebSocketServer::EnforceFilter() noexcept {
    filter_changed_.store(true);
    Wake();
}

void WebSocketServer::Stop() noexcept {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    if (!thread_.joinable()) return;
    thread_.request_stop();
    Wake();
    thread_.join();
}

// The one poll loop over the listener, the wake-up fd and every client: its branches read
// best together. NOLINTNEXTLINE(readability-function-cognitive-complexity)
void WebSocketServer::Run(std::stop_token stop) noexcept {
    pthread_setname_np(pthread_self(), "websocket");
    std::optional<Clock::time_point> stop_deadline;
    epoll_event events[64];
    for (;;) {
        auto now = Clock::now();
        if (stop.stop_requested() && !stop_deadline) {
            stop_deadline = now + std::min<Clock::duration>(kStopWait, limits_.close_timeout);
            CloseAll(kGoingAway);
        }
        if (stop_deadline && (connections_.empty() || now >= *stop_deadline)) break;
        heartbeat_.Tick();
        int count = epoll_wait(epoll_.Get(), events, 64, WaitMs(now, stop_deadline));
        for (int i = 0; i < count; ++i) {
            std::uint64_t id = events[i].data.u64;
            if (id == kWakeId) {
                std::uint64_t ignored;
                [[maybe_unused]] auto read_bytes = read(wake_.Get(), &ignored, sizeof ignored);
                TakeAdopted();
                if (filter_changed_.exchange(false)) CloseRefused();
                if (push_due_.exchange(false)) PushAll();
                continue;
            }
            auto found = connections_.find(id);
            if (found == connections_.end()) continue;
            Connection& connection = *found->second;
            if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) Read(connection);
            if ((events[i].events & EPOLLOUT) && !connection.dead) Flush(connection);
            for (std::uint64_t dead : std::exchange(to_drop_, {}))
                Drop(dead);
        }
        Expire(Clock::now());
    }
    connections_.clear(); // closes the rest through libmicrohttpd
    connected_.store(0);
    std::lock_guard lock(mutex_);
    adopted_.clear();
}

void WebSocketServer::TakeAdopted() {
    std::vector<UpgradedSocket> sockets;
    {
        std::lock_guard lock(mutex_);
        sockets.swap(adopted_);
    }
    for (UpgradedSocket& socket : sockets) {
        try {
            Open(std::move(socket));
        } catch (...) {
            // The app refused the client or memory ran out; its socket closed on the way out.
        }
        for (std::uint64_t dead : std::exchange(to_drop_, {}))
            Drop(dead);
    }
}

void WebSocketServer::Open(UpgradedSocket socket) {
    TuneSocket(socket.Fd());
    std::string early = socket.TakeEarlyBytes();
    bool full = connections_.size() >= limits_.max_clients;
    auto connection =
        std::make_unique<Connection>(next_id_++, std::move(socket), limits_.max_message_bytes);
    if (!full) connection->session = app_.Open(); // may throw: nothing is registered yet
    connection->peer_length = sizeof connection->peer;
    if (getpeername(connection->socket.Fd(), reinterpret_cast<sockaddr*>(&connection->peer),
                    &connection->peer_length))
        connection->peer_length = 0;
    try {
        connection->local_port = LocalPort(connection->socket.Fd());
    } catch (const std::system_error&) {
        // Only the client log line misses the port.
    }
    epoll_event event{EPOLLIN | EPOLLRDHUP, {.u64 = connection->id}};
    if (epoll_ctl(epoll_.Get(), EPOLL_CTL_ADD, connection->socket.Fd(), &event))
        throw std::system_error(errno, std::generic_category(), "epoll_ctl");
    Connection& added = *connection;
    connections_.emplace(added.id, std::move(connection));
    connected_.store(connections_.size());
    if (full || !Allowed(added)) {
        // An upgrade that was under way while a reload narrowed the allow list is refused too.
        StartClose(added, full ? kTryAgainLater : kPolicyViolation,
                   full ? "too many clients" : "address not allowed");
        added.finished = true;
        Flush(added);
        return;
    }
    Consume(added, early);
}

void WebSocketServer::Read(Connection& connection) {
    char chunk[16384];
    for (size_t total = 0; total < kReadBudget && !connection.dead;) {
        ssize_t size = recv(connection.socket.Fd(), chunk, sizeof chunk, MSG_DONTWAIT);
        if (size > 0) {
            total += static_cast<size_t>(size);
            Consume(connection, std::string_view(chunk, static_cast<size_t>(size)));
            continue;
        }
        if (size < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
        connection.dead = true; // the client went away (EOF) or the connection broke
        to_drop_.push_back(connection.id);
        return;
    }
}

/// Hands `bytes` to the reader as fast as it makes room. Once the connection is finished
/// (failed, closed, or turned away) what the client still sends is read and dropped: it may
/// send at full speed while our close frame waits behind the data it does not read.
void WebSocketServer::Consume(Connection& connection, std::string_view bytes) {
    while (!bytes.empty() && !connection.dead && !connection.finished) {
        std::size_t taken = connection.reader.Feed(bytes);
        bytes.remove_prefix(taken);
        HandleEvents(connection);
        if (taken == 0 && connection.reader.Unread() == connection.reader.Capacity()) {
            // Never: a full reader holds a whole frame. Dropped rather than spinning.
            connection.dead = true;
            to_drop_.push_back(connection.id);
        }
    }
}

void WebSocketServer::HandleEvents(Connection& connection) {
    using Kind = websocket::Event::Kind;
    while (!connection.dead && !connection.finished) {
        std::optional<websocket::Event> event = connection.reader.Next();
        if (!event) return;
        connection.last_frame = Clock::now();
        switch (event->kind) {
        case Kind::Text:
            if (connection.closing) break;
            if (auto answer = connection.session->OnMessage(event->payload))
                Answer(connection, *answer, event->payload, false);
            else
                NoteClient(connection, {kOtherMethod, RequestOutcome::Failed});
            break;
        case Kind::Ping:
            // A Home Assistant connection lasts days: its pings show it is still there.
            NoteClient(connection, {MethodIdOf("ping"), RequestOutcome::Answered});
            if (!connection.closing)
                Send(connection, websocket::EncodeFrame(websocket::Opcode::Pong, event->payload));
            break;
        case Kind::Pong:
            break;
        case Kind::Close:
            // The client's answer to our close, or its own close, which we echo; either way
            // the handshake is complete and the server closes TCP first (RFC 6455 §7.1.1).
            if (!connection.closing) Send(connection, websocket::EncodeClose(event->code));
            connection.closing = connection.finished = true;
            Flush(connection);
            return;
        case Kind::Fail:
            StartClose(connection, event->code, event->payload);
            connection.finished = true; // a failed connection is not waited for (§7.1.7)
            Flush(connection);
            return;
        }
    }
}

void WebSocketServer::Send(Connection& connection, const std::string& bytes) {
    if (connection.dead) return;
    if (connection.unsent.size() + bytes.size() > limits_.max_unsent_bytes) {
        connection.dead = true; // it does not read: better gone than holding memory
        to_drop_.push_back(connection.id);
        return;
    }
    connection.unsent += bytes;
    Flush(connection);
}

void WebSocketServer::Flush(Connection& connection) {
    while (!connection.unsent.empty() && !connection.dead) {
        ssize_t sent = send(connection.socket.Fd(), connection.unsent.data(),
                            connection.unsent.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (sent > 0) {
            connection.unsent.erase(0, static_cast<size_t>(sent));
        } else if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            Watch(connection, true);
            return;
        } else if (!(sent < 0 && errno == EINTR)) {
            connection.dead = true;
            to_drop_.push_back(connection.id);
            return;
        }
    }
    if (connection.dead) return;
    Watch(connection, false);
    if (connection.finished && !connection.shut_down) HalfClose(connection);
}

/// The server closes TCP first (RFC 6455 §7.1.1), but only its sending side: closing a socket
/// with unread data would reset the connection and could destroy the close frame in flight.
/// What the client still sends is read and dropped until its EOF or the close timeout.
void WebSocketServer::HalfClose(Connection& connection) {
    shutdown(connection.socket.Fd(), SHUT_WR);
    connection.shut_down = true;
    if (!connection.closing) connection.close_deadline = Clock::now() + limits_.close_timeout;
    connection.closing = true;
}

void WebSocketServer::Watch(Connection& connection, bool writable) {
    if (connection.writable_watched == writable) return;
    epoll_event event{EPOLLIN | EPOLLRDHUP | (writable ? EPOLLOUT : 0u), {.u64 = connection.id}};
    epoll_ctl(epoll_.Get(), EPOLL_CTL_MOD, connection.socket.Fd(), &event);
    connection.writable_watched = writable;
}

void WebSocketServer::StartClose(Connection& connection, std::uint16_t code,
                                 std::string_view reason) {
    if (connection.closing || connection.dead) return;
    Send(connection, websocket::EncodeClose(code == kNoStatus ? kGoingAway : code, reason));
    connection.closing = true;
    connection.close_deadline = Clock::now() + limits_.close_timeout;
}

void WebSocketServer::PushAll() {
    ServeHeld(Clock::now(), true); // the held answers first: they were asked for
    app_.PreparePush();
    for (auto& [id, connection] : connections_) {
        if (connection->closing || connection->dead) continue;
        if (auto message = connection->session->OnPush())
            Send(*connection, websocket::EncodeFrame(websocket::Opcode::Text, *message));
    }
    for (std::uint64_t dead : std::exchange(to_drop_, {}))
        Drop(dead);
}

void WebSocketServer::CloseAll(std::uint16_t code) {
    for (auto& [id, connection] : connections_)
        StartClose(*connection, code, "server stopping");
    for (std::uint64_t dead : std::exchange(to_drop_, {}))
        Drop(dead);
}

bool WebSocketServer::Allowed(const Connection& connection) const noexcept {
    // A socket without a peer address is broken and goes at its first read.
    return !filter_ || !connection.peer_length ||
           filter_->Allows(reinterpret_cast<const sockaddr*>(&connection.peer));
}

void WebSocketServer::CloseRefused() {
    for (auto& [id, connection] : connections_)
        if (!Allowed(*connection)) StartClose(*connection, kPolicyViolation, "address not allowed");
    for (std::uint64_t dead : std::exchange(to_drop_, {}))
        Drop(dead);
}

/// Drops the connections whose closing handshake took too long, and starts closing the ones
/// that sent no frame within the idle limit (checked every heartbeat: at most one kHeartbeatPeriod
/// late).
void WebSocketServer::Expire(Clock::time_point now) {
    ServeHeld(now, false);
    std::vector<std::uint64_t> expired;
    for (auto& [id, connection] : connections_) {
        if (connection->closing) {
            if (now >= connection->close_deadline) expired.push_back(id);
        } else if (limits_.idle_timeout.count() > 0 &&
                   now - connection->last_frame >= limits_.idle_timeout) {
            StartClose(*connection, kNormal, "idle timeout");
        }
    }
    for (std::uint64_t dead : std::exchange(to_drop_, {}))
        Drop(dead);
    for (std::uint64_t id : expired)
        Drop(id);
}

/// How long the loop may sleep: until the next close deadline, held message's deadline, the
/// stop deadline, or the next heartbeat, whichever comes first.
int WebSocketServer::WaitMs(Clock::time_point now,
                            std::optional<Clock::time_point> stop_deadline) const {
    std::optional<Clock::time_point> next = stop_deadline;
    for (const auto& [id, connection] : connections_)
        for (auto [due, deadline] :
             {std::pair{connection->closing, connection->close_deadline},
              std::pair{connection->held.has_value(), connection->held_deadline}})
            if (due && (!next || deadline < *next)) next = deadline;
    if (!next) return kHeartbeatMs;
    auto wait = std::chrono::ceil<std::chrono::milliseconds>(*next - now).count();
    return static_cast<int>(std::clamp<std::int64_t>(wait, 0, kHeartbeatMs));
}

void WebSocketServer::Drop(std::uint64_t id) {
    auto found = connections_.find(id);
    if (found == connections_.end()) return;
    epoll_ctl(epoll_.Get(), EPOLL_CTL_DEL, found->second->socket.Fd(), nullptr);
    connections_.erase(found); // UpgradedSocket closes it through libmicrohttpd
    connected_.store(connections_.size());
}

void WebSocketServer::NoteClient(const Connection& connection, RequestLabel label) noexcept {
    if (clients_ && connection.peer_length)
        clients_->Seen(reinterpret_cast<const sockaddr*>(&connection.peer), Clock::now(),
                       {ClientTransport::WebSocket, connection.local_port}, label);
}

} // namespace meteremu
