// SPDX-License-Identifier: MIT
#include "net/udp_server.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <system_error>

namespace meteremu {
namespace {

/// Datagrams taken with one recvmmsg: several batteries polling at once cost one call.
constexpr unsigned kBatch = 8;
/// A thread's receive gives up every heartbeat period to tick its heartbeat and look for a
/// stop, also when no datagram comes.
constexpr long kHeartbeatUs = std::chrono::microseconds(kHeartbeatPeriod).count();

/// Room for one IP_PKTINFO or IPV6_PKTINFO control message, in either direction.
constexpr size_t kControlBytes = CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(in_pktinfo));

/// Each thread sleeps in its socket's receive, as the simplest server does: a wait and a
/// receive in one call, where poll() and then a receive cost two per datagram and a tenth of
/// the rate. The receive times out for the heartbeat.
void UseBlockingReceive(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
        throw std::system_error(errno, std::generic_category(), "fcntl");
    timeval timeout{0, kHeartbeatUs};
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout))
        throw std::system_error(errno, std::generic_category(), "SO_RCVTIMEO");
}

/// Ends a thread's wait at once: an empty datagram to its socket's own address (loopback for
/// a wildcard), which gets no answer. Without it, the wait ends within kHeartbeatUs anyway.
void WakeListener(int fd) noexcept {
    sockaddr_storage local{};
    socklen_t length = sizeof local;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length)) return;
    if (local.ss_family == AF_INET) {
        auto& v4 = reinterpret_cast<sockaddr_in&>(local);
        if (v4.sin_addr.s_addr == htonl(INADDR_ANY)) v4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    } else if (local.ss_family == AF_INET6) {
        auto& v6 = reinterpret_cast<sockaddr_in6&>(local);
        if (IN6_IS_ADDR_UNSPECIFIED(&v6.sin6_addr)) v6.sin6_addr = in6addr_loopback;
    }
    UniqueFd waker(socket(local.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (waker.Valid())
        sendto(waker.Get(), "", 0, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&local), length);
}

/// Asks the kernel to tell, per datagram, which local address it was sent to. An IPv6
/// socket also receives IPv4 (v4-mapped) datagrams; IP_PKTINFO covers those.
/// A socket bound to one address (not the wildcard) receives only what is sent to that
/// address and replies from it anyway: it needs no packet info, and skipping it spares each
/// datagram a control message both ways.
void RequestPacketInfo(int fd) {
    sockaddr_storage local{};
    socklen_t length = sizeof local;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) == 0) {
        const auto* v4 = reinterpret_cast<const sockaddr_in*>(&local);
        const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&local);
        if (local.ss_family == AF_INET && v4->sin_addr.s_addr != htonl(INADDR_ANY)) return;
        if (local.ss_family == AF_INET6 && !IN6_IS_ADDR_UNSPECIFIED(&v6->sin6_addr)) return;
    }
    int on = 1;
    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on);
    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on);
}

template <class Info>
size_t PutControl(char* control, int level, int type, const Info& info) {
    auto* out = reinterpret_cast<cmsghdr*>(control);
    out->cmsg_level = level;
    out->cmsg_type = type;
    out->cmsg_len = CMSG_LEN(sizeof info);
    std::memcpy(CMSG_DATA(out), &info, sizeof info);
    return CMSG_SPACE(sizeof info);
}

/// The reply leaves from the address the request was sent to, so a battery that polls one of
/// several addresses of this host hears back from that one. For IPv4 the kernel's
/// ipi_spec_dst is that address, or for a broadcast the receiving interface's own. (An IPv6
/// socket reports IPv4 datagrams twice, also as IPV6_PKTINFO with the v4-mapped destination,
/// which for a broadcast is no source address: IP_PKTINFO wins.)
size_t ReplyControl(msghdr& request, char* control) {
    const in6_pktinfo* v6 = nullptr;
    in6_pktinfo v6_info;
    for (cmsghdr* c = CMSG_FIRSTHDR(&request); c; c = CMSG_NXTHDR(&request, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            in_pktinfo received;
            std::memcpy(&received, CMSG_DATA(c), sizeof received);
            in_pktinfo source{};
            source.ipi_spec_dst = received.ipi_spec_dst;
            return PutControl(control, IPPROTO_IP, IP_PKTINFO, source);
        }
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
            std::memcpy(&v6_info, CMSG_DATA(c), sizeof v6_info);
            v6 = &v6_info;
        }
    }
    if (!v6 || IN6_IS_ADDR_MULTICAST(&v6->ipi6_addr) || IN6_IS_ADDR_V4MAPPED(&v6->ipi6_addr))
        return 0;
    return PutControl(control, IPPROTO_IPV6, IPV6_PKTINFO, *v6);
}

} // namespace

/// Room for kBatch datagrams with their senders and control messages, filled by recvmmsg.
struct UdpServer::Batch {
    explicit Batch(std::size_t max_request_bytes) : buffers(kBatch * (max_request_bytes + 1)) {
        std::size_t size = max_request_bytes + 1;
        for (unsigned i = 0; i < kBatch; ++i)
            data[i] = {buffers.data() + i * size, size};
    }

    /// Ready for the next recvmmsg: recvmmsg overwrites the lengths it fills in.
    void Reset() noexcept {
        for (unsigned i = 0; i < kBatch; ++i)
            messages[i].msg_hdr = {&senders[i], sizeof senders[i],  &data[i], 1,
                                   controls[i], sizeof controls[i], 0};
    }

    std::vector<char> buffers;
    iovec data[kBatch];
    sockaddr_storage senders[kBatch];
    alignas(cmsghdr) char controls[kBatch][kControlBytes];
    mmsghdr messages[kBatch];
};

/// Where a reply goes: the sender, from the address its request was sent to.
struct UdpServer::Destination {
    sockaddr_storage address{};
    socklen_t length = 0;
    alignas(cmsghdr) char control[kControlBytes] = {};
    std::size_t control_length = 0;
    bool from_host = false; ///< exempt from the reply budget
    ClientKey client = 0;   ///< the sender as the sample gate knows it
};

/// A poll the sample gate holds until a new sample arrives or `deadline` passes.
struct UdpServer::HeldPoll {
    Destination to;
    std::string request;
    RequestLabel label; ///< of the answer that was held
    SteadyTime deadline;
};

/// One socket and the thread that serves it.
struct UdpServer::Listener {
    Listener(UniqueFd fd, std::size_t max_request_bytes)
        : socket(std::move(fd)), wake(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
          batch(max_request_bytes) {
        if (!wake.Valid()) throw std::system_error(errno, std::generic_category(), "eventfd");
    }

    UniqueFd socket;
    std::uint16_t port = LocalPort(socket.Get());
    UniqueFd wake; ///< written by SampleArrived
    Heartbeat heartbeat;
    Batch batch;                ///< the thread's own
    std::vector<HeldPoll> held; ///< the thread's own, oldest first
    std::jthread thread;
};

UdpServer::UdpServer(std::vector<UniqueFd> sockets, DatagramHandler& handler,
                     const UdpLimits& limits, ClientTracker* clients, const ClientFilter* filter,
                     SampleGate* gate)
    : handler_(handler), limits_(limits), clients_(clients), filter_(filter), gate_(gate),
      rate_limiter_(limits.reply_rate), byte_budget_(limits.reply_bytes_per_second) {
    for (UniqueFd& socket : sockets) {
        UseBlockingReceive(socket.Get());
        RequestPacketInfo(socket.Get());
        addresses_.push_back(LocalAddressText(socket.Get()));
        listeners_.push_back(
            std::make_unique<Listener>(std::move(socket), limits.max_request_bytes));
    }
    for (auto& listener : listeners_)
        listener->thread = std::jthread(
            [this, &listener = *listener](std::stop_token stop) { Run(listener, stop); });
}

UdpServer::~UdpServer() {
    for (auto& listener : listeners_)
        listener->thread.request_stop();
    for (auto& listener : listeners_) {
        WakeListener(listener->socket.Get());
        if (listener->thread.joinable()) listener->thread.join();
    }
}

std::vector<std::uint16_t> UdpServer::Ports() const {
    std::vector<std::uint16_t> ports;
    for (const auto& listener : listeners_)
        ports.push_back(LocalPort(listener->socket.Get()));
    return ports;
}

std::vector<std::pair<std::string, const Heartbeat*>> UdpServer::LoopHeartbeats() const {
    std::vector<std::pair<std::string, const Heartbeat*>> beats;
    for (size_t i = 0; i < listeners_.size(); ++i)
        beats.emplace_back("udp " + addresses_[i], &listeners_[i]->heartbeat);
    return beats;
}

UdpCounters UdpServer::Counters() const noexcept {
    return {received_.load(),  replied_.load(),     dropped_.load(), refused_.load(),
            throttled_.load(), over_budget_.load(), held_.load(),    unanswered_.load()};
}

void UdpServer::SampleArrived() noexcept {
    for (auto& listener : listeners_)
        eventfd_write(listener->wake.Get(), 1);
}

/// Waits in recvmmsg for at least one datagram and takes whatever else is queued with it;
/// while it holds polls, waits in poll() for a datagram, a new sample or a deadline instead.
void UdpServer::Run(Listener& listener, std::stop_token stop) noexcept {
    pthread_setname_np(pthread_self(), "udp");
    int fd = listener.socket.Get();
    while (!stop.stop_requested()) {
        listener.heartbeat.Tick();
        int flags = MSG_WAITFORONE;
        if (!listener.held.empty()) {
            if (!AwaitWithHeldPolls(listener)) continue;
            flags = MSG_DONTWAIT;
        }
        listener.batch.Reset();
        int count = recvmmsg(fd, listener.batch.messages, kBatch, flags, nullptr);
        for (int i = 0; i < count && !stop.stop_requested(); ++i)
            Answer(listener, listener.batch.messages[i].msg_hdr,
                   listener.batch.messages[i].msg_len);
    }
}

bool UdpServer::AwaitWithHeldPolls(Listener& listener) noexcept {
    auto now = std::chrono::steady_clock::now();
    SteadyTime first = listener.held.front().deadline;
    for (const HeldPoll& poll : listener.held)
        first = std::min(first, poll.deadline);
    auto wait = std::clamp(std::chrono::ceil<std::chrono::milliseconds>(first - now),
                           std::chrono::milliseconds(0), kHeartbeatPeriod);
    pollfd fds[2] = {{listener.socket.Get(), POLLIN, 0}, {listener.wake.Get(), POLLIN, 0}};
    if (poll(fds, 2, static_cast<int>(wait.count())) < 0) return false; // EINTR: look again
    eventfd_t ignored;
    bool woken = fds[1].revents && eventfd_read(listener.wake.Get(), &ignored) == 0;
    if (woken || std::chrono::steady_clock::now() >= first) ServeHeld(listener);
    return fds[0].revents != 0;
}

bool UdpServer::Admit(const Listener& listener, const sockaddr_storage& sender,
                      const std::optional<IpAddress>& ip, bool too_long, SteadyTime now) noexcept {
    const auto* address = reinterpret_cast<const sockaddr*>(&sender);
    if (filter_ && !filter_->Allows(address)) {
        ++refused_;
        NoteClient(listener, sender, now, {kUnreadMethod, RequestOutcome::Refused});
        return false;
    }
    if (too_long) {
        ++dropped_;
        NoteClient(listener, sender, now, {kUnreadMethod, RequestOutcome::Failed});
        return false;
    }
    if (ip && !rate_limiter_.Allow(*ip, now)) {
        ++throttled_;
        NoteClient(listener, sender, now, {kUnreadMethod, RequestOutcome::RateLimited});
        return false;
    }
    return true;
}

void UdpServer::NoteClient(const Listener& listener, const sockaddr_storage& sender, SteadyTime now,
                           RequestLabel label) noexcept {
    if (clients_)
        clients_->Seen(reinterpret_cast<const sockaddr*>(&sender), now,
                       {ClientTransport::Udp, listener.port}, label);
}

void UdpServer::Answer(Listener& listener, msghdr& request, std::size_t size) noexcept {
    ++received_;
    // The buffer holds one byte more than the limit, so a longer datagram always shows.
    bool too_long = (request.msg_flags & MSG_TRUNC) || size > limits_.max_request_bytes;
    const auto& sender = *static_cast<const sockaddr_storage*>(request.msg_name);
    auto ip = IpAddress::Of(reinterpret_cast<const sockaddr*>(&sender));
    std::lock_guard lock(answer_mutex_); // the reply's bytes are the handler's until sent
    auto now = std::chrono::steady_clock::now();
    if (!Admit(listener, sender, ip, too_long, now)) return;
    std::string_view bytes(static_cast<char*>(request.msg_iov->iov_base), size);
    DatagramAnswer answer = handler_.Handle(bytes);
    if (!answer.reply) {
        NoteClient(listener, sender, now, answer.label);
        return;
    }
    Destination to;
    std::memcpy(&to.address, &sender, std::min<std::size_t>(request.msg_namelen, sizeof sender));
    to.length = request.msg_namelen;
    to.control_length = ReplyControl(request, to.control);
    // The host itself is exempt, as from the budget per address (net/reply_rate_limiter.hpp).
    to.from_host = ip && ip->IsHostLoopback();
    if (ip) to.client = ClientKeyOf(GateTransport::Udp, ip->bytes.data(), ip->bytes.size());
    if (PassGate(listener, answer, to, bytes, now)) Send(listener, to, answer, now);
}

bool UdpServer::PassGate(Listener& listener, const DatagramAnswer& answer, const Destination& to,
                         std::string_view request, SteadyTime now) noexcept {
    if (!gate_ || !answer.reply->sample) return true;
    GateDecision decision = gate_->Admit(to.client, answer.reply->sample, now);
    if (decision.verdict == GateVerdict::Hold)
        Hold(listener, to, request, answer.label, decision.deadline);
    if (decision.verdict == GateVerdict::Drop) {
        ++unanswered_;
        NoteClient(listener, to.address, now, {answer.label.method, RequestOutcome::NoNewSample});
    }
    return decision.Answered();
}

/// Keeps the newest poll of each sender: a battery that polls again while held is answered
/// once, to its latest request.
void UdpServer::Hold(Listener& listener, const Destination& to, std::string_view request,
                     RequestLabel label, SteadyTime deadline) noexcept try {
    ++held_;
    std::erase_if(listener.held, [&](const HeldPoll& poll) { return poll.to.client == to.client; });
    if (listener.held.size() >= kMaxHeld) {
        const HeldPoll& oldest = listener.held.front();
        NoteClient(listener, oldest.to.address, std::chrono::steady_clock::now(),
                   {oldest.label.method, RequestOutcome::NoNewSample});
        listener.held.erase(listener.held.begin());
        ++unanswered_;
    }
    listener.held.push_back({to, std::string(request), label, deadline});
} catch (...) {
    ++unanswered_; // out of memory: the poll goes unanswered, the battery asks again
    NoteClient(listener, to.address, std::chrono::steady_clock::now(),
               {label.method, RequestOutcome::NoNewSample});
}

void UdpServer::ServeHeld(Listener& listener) noexcept {
    std::lock_guard lock(answer_mutex_);
    auto now = std::chrono::steady_clock::now();
    auto& held = listener.held;
    auto kept = held.begin();
    for (auto poll = held.begin(); poll != held.end(); ++poll) {
        if (!StillHeld(listener, *poll, now)) continue;
        if (kept != poll) *kept = std::move(*poll);
        ++kept;
    }
    held.erase(kept, held.end());
}

/// Asks the handler again for `poll`; sends what the gate lets go. Whether it stays held.
bool UdpServer::StillHeld(Listener& listener, HeldPoll& poll, SteadyTime now) noexcept {
    DatagramAnswer answer = handler_.Handle(poll.request);
    if (!answer.reply) { // nothing to say any more (the reading turned stale)
        NoteClient(listener, poll.to.address, now, answer.label);
        return false;
    }
    std::uint64_t sample = answer.reply->sample;
    GateDecision decision =
        sample ? gate_->Recheck(poll.to.client, sample, now) : GateDecision{GateVerdict::Serve};
    if (decision.verdict == GateVerdict::Hold) {
        poll.deadline = decision.deadline;
        return true;
    }
    if (decision.Answered()) {
        Send(listener, poll.to, answer, now);
    } else {
        ++unanswered_;
        NoteClient(listener, poll.to.address, now,
                   {answer.label.method, RequestOutcome::NoNewSample});
    }
    return false;
}

/// Sends the reply of `answer`, and notes what became of it.
void UdpServer::Send(const Listener& listener, const Destination& to, const DatagramAnswer& answer,
                     SteadyTime now) noexcept {
    const DatagramReply& reply = *answer.reply;
    if (!to.from_host && !byte_budget_.Spend(reply.bytes.size(), reply.priority, now)) {
        ++over_budget_;
        NoteClient(listener, to.address, now, {answer.label.method, RequestOutcome::RateLimited});
        return;
    }
    iovec out{const_cast<char*>(reply.bytes.data()), reply.bytes.size()};
    msghdr response{const_cast<sockaddr_storage*>(&to.address),
                    to.length,
                    &out,
                    1,
                    to.control_length ? const_cast<char*>(to.control) : nullptr,
                    to.control_length,
                    0};
    ++replied_; // counted before the client can see the reply
    NoteClient(listener, to.address, now, answer.label);
    if (sendmsg(listener.socket.Get(), &response, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
        --replied_;
        ++dropped_;
    }
}

} // namespace meteremu
