// SPDX-License-Identifier: MIT
#include "net/udp_server.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <system_error>

namespace meteremu {
namespace {

/// At most this many datagrams per socket per wake, so one busy port cannot starve another.
constexpr unsigned kBurst = 64;
/// Datagrams taken with one recvmmsg: several batteries polling at once cost one call.
constexpr unsigned kBatch = 8;
/// The loop ticks its heartbeat at least this often, also when no datagram comes.
constexpr int kHeartbeatMs = 250;

/// Room for one IP_PKTINFO or IPV6_PKTINFO control message, in either direction.
constexpr size_t kControlBytes = CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(in_pktinfo));

void SetNonBlocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        throw std::system_error(errno, std::generic_category(), "fcntl O_NONBLOCK");
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

UdpServer::UdpServer(std::vector<UniqueFd> sockets, DatagramHandler& handler,
                     const UdpLimits& limits, ClientTracker* clients, const ClientFilter* filter)
    : sockets_(std::move(sockets)), handler_(handler), limits_(limits), clients_(clients),
      filter_(filter), rate_limiter_(limits.reply_rate),
      batch_(std::make_unique<Batch>(limits.max_request_bytes)) {
    for (const UniqueFd& socket : sockets_) {
        SetNonBlocking(socket.Get());
        RequestPacketInfo(socket.Get());
        addresses_.push_back(LocalAddressText(socket.Get()));
    }
    wake_.Reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!wake_.Valid()) throw std::system_error(errno, std::generic_category(), "eventfd");
    thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
}

UdpServer::~UdpServer() {
    thread_.request_stop();
    std::uint64_t one = 1;
    [[maybe_unused]] auto written = write(wake_.Get(), &one, sizeof one);
    if (thread_.joinable()) thread_.join();
}

std::vector<std::uint16_t> UdpServer::Ports() const {
    std::vector<std::uint16_t> ports;
    for (const UniqueFd& socket : sockets_)
        ports.push_back(LocalPort(socket.Get()));
    return ports;
}

UdpCounters UdpServer::Counters() const noexcept {
    return {received_.load(), replied_.load(), dropped_.load(), refused_.load(), throttled_.load()};
}

/// epoll rather than poll(): the descriptors are registered once, not on every wait, which
/// at tens of thousands of datagrams a second is a tenth of the thread's time.
void UdpServer::Run(std::stop_token stop) noexcept {
    pthread_setname_np(pthread_self(), "udp");
    UniqueFd epoll(epoll_create1(EPOLL_CLOEXEC));
    for (size_t i = 0; i <= sockets_.size(); ++i) {
        int fd = i < sockets_.size() ? sockets_[i].Get() : wake_.Get();
        epoll_event event{EPOLLIN, {.fd = fd}};
        if (epoll_ctl(epoll.Get(), EPOLL_CTL_ADD, fd, &event)) return; // cannot fail on valid fds
    }
    epoll_event events[8];
    while (!stop.stop_requested()) {
        heartbeat_.Tick();
        int count = epoll_wait(epoll.Get(), events, 8, kHeartbeatMs);
        for (int i = 0; i < count; ++i)
            if (events[i].data.fd != wake_.Get()) Drain(events[i].data.fd);
    }
}

bool UdpServer::Admit(const sockaddr_storage& sender, bool too_long) noexcept {
    const auto* address = reinterpret_cast<const sockaddr*>(&sender);
    if (filter_ && !filter_->Allows(address)) {
        ++refused_; // not even counted as a client
        return false;
    }
    auto now = std::chrono::steady_clock::now();
    if (clients_) clients_->Seen(address, now);
    if (too_long) {
        ++dropped_;
        return false;
    }
    auto ip = IpAddress::Of(address);
    if (ip && !rate_limiter_.Allow(*ip, now)) {
        ++throttled_;
        return false;
    }
    return true;
}

/// Takes what is queued, kBatch datagrams per call, and answers each at once; a short
/// batch means the queue was empty, so no extra call is spent learning it.
void UdpServer::Drain(int fd) noexcept {
    for (unsigned taken = 0; taken < kBurst;) {
        batch_->Reset();
        int count = recvmmsg(fd, batch_->messages, kBatch, MSG_DONTWAIT, nullptr);
        if (count <= 0) return; // EAGAIN: drained
        for (int i = 0; i < count; ++i)
            Answer(fd, batch_->messages[i].msg_hdr, batch_->messages[i].msg_len);
        taken += static_cast<unsigned>(count);
        if (static_cast<unsigned>(count) < kBatch) return;
    }
}

void UdpServer::Answer(int fd, msghdr& request, std::size_t size) noexcept {
    ++received_;
    // The buffer holds one byte more than the limit, so a longer datagram always shows.
    bool too_long = (request.msg_flags & MSG_TRUNC) || size > limits_.max_request_bytes;
    if (!Admit(*static_cast<const sockaddr_storage*>(request.msg_name), too_long)) return;
    std::optional<std::string_view> reply =
        handler_.Handle(std::string_view(static_cast<char*>(request.msg_iov->iov_base), size));
    if (!reply) return;
    alignas(cmsghdr) char reply_control[kControlBytes] = {};
    iovec out{const_cast<char*>(reply->data()), reply->size()};
    msghdr response{request.msg_name, request.msg_namelen, &out, 1, reply_control, 0, 0};
    response.msg_controllen = ReplyControl(request, reply_control);
    if (!response.msg_controllen) response.msg_control = nullptr;
    ++replied_; // counted before the client can see the reply
    if (sendmsg(fd, &response, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
        --replied_;
        ++dropped_;
    }
}

} // namespace meteremu
