// SPDX-License-Identifier: MIT
// The connection to avahi-daemon, after MPD's lib/avahi/Client.cxx: a client created with
// AVAHI_CLIENT_NO_FAIL waits for the daemon; when the daemon goes away the client fails and
// a new one takes its place. A timer on Avahi's poll thread does the reconnecting, retries
// failed registrations and follows the machine's addresses. Everything here runs on that
// thread or under its lock, so it needs no locking of its own.
#include "platform/mdns.hpp"

#include "platform/log.hpp"
#include "platform/mdns_registration.hpp"
#include "util/avahi.hpp"

#include <avahi-common/timeval.h>

#include <cerrno>
#include <chrono>
#include <pthread.h>

namespace meteremu {
namespace {

using namespace std::chrono_literals;

/// How often addresses are compared and a failed registration is retried.
constexpr auto kRecheckInterval = 10s;
/// Pause before connecting again after avahi-daemon went away.
constexpr auto kReconnectDelay = 1s;

} // namespace

class MdnsPublisher::Impl {
public:
    Impl(std::vector<MdnsService> services, std::string listen_address, MdnsReporter reporter);
    ~Impl();

    void Update(std::vector<MdnsService> services);

private:
    static void OnTimer(AvahiTimeout* timeout, void* self) noexcept;
    static void OnClientState(AvahiClient* client, AvahiClientState state, void* self) noexcept;

    void Tick();
    void Connect();
    void ClientStateChanged(AvahiClient* client, AvahiClientState state);
    bool Running() const noexcept;
    void Schedule(std::chrono::milliseconds delay) noexcept;

    MdnsReports reports_;
    bool client_failed_ = false;
    bool thread_named_ = false;
    // Destroyed bottom up, after the thread stopped: the registration frees its groups
    // (withdrawing the records) before the client goes, the timer before its poll.
    AvahiThreadedPollPtr poll_;
    AvahiTimeoutPtr timer_;
    AvahiClientPtr client_;
    MdnsRegistration registration_;
};

MdnsPublisher::Impl::Impl(std::vector<MdnsService> services, std::string listen_address,
                          MdnsReporter reporter)
    : reports_(std::move(reporter)), poll_(avahi_threaded_poll_new()),
      registration_(std::move(services), std::move(listen_address), reports_) {
    if (!poll_) throw std::system_error(ENOMEM, std::generic_category(), "avahi_threaded_poll_new");
    const AvahiPoll* api = avahi_threaded_poll_get(poll_.get());
    timeval now{}; // already due: the first tick connects, on the poll thread
    timer_ = AvahiTimeoutPtr(api->timeout_new(api, &now, &Impl::OnTimer, this), {api});
    if (!timer_) throw std::system_error(ENOMEM, std::generic_category(), "avahi timeout_new");
    CheckAvahi(avahi_threaded_poll_start(poll_.get()), "cannot start the Avahi thread");
}

MdnsPublisher::Impl::~Impl() {
    // Without the thread the remaining calls need no lock.
    avahi_threaded_poll_stop(poll_.get());
}

void MdnsPublisher::Impl::Update(std::vector<MdnsService> services) {
    AvahiPollLock lock(poll_.get());
    registration_.SetServices(std::move(services));
    if (Running()) registration_.Register(client_.get());
}

void MdnsPublisher::Impl::OnTimer(AvahiTimeout*, void* self) noexcept {
    auto& impl = *static_cast<Impl*>(self);
    try {
        impl.Tick();
    } catch (...) {
        impl.reports_.ReportOnce(MdnsEvent::Failed, log::DescribeCurrentException());
    }
}

void MdnsPublisher::Impl::OnClientState(AvahiClient* client, AvahiClientState state,
                                        void* self) noexcept {
    auto& impl = *static_cast<Impl*>(self);
    try {
        impl.ClientStateChanged(client, state);
    } catch (...) {
        impl.reports_.ReportOnce(MdnsEvent::Failed, log::DescribeCurrentException());
    }
}

void MdnsPublisher::Impl::Tick() {
    if (!thread_named_) thread_named_ = pthread_setname_np(pthread_self(), "mdns") == 0;
    Schedule(kRecheckInterval);
    if (!client_ || client_failed_)
        Connect();
    else if (Running())
        registration_.Refresh(client_.get());
}

void MdnsPublisher::Impl::Connect() {
    registration_.Free();
    client_.reset();
    client_failed_ = false;
    registration_.RestoreNames();
    int error = 0;
    // NO_FAIL: without avahi-daemon the client waits for it (CONNECTING) instead of failing.
    // Without a D-Bus system bus it still fails; the timer then tries again.
    AvahiClient* client =
        avahi_client_new(avahi_threaded_poll_get(poll_.get()), AVAHI_CLIENT_NO_FAIL,
                         &Impl::OnClientState, this, &error);
    if (!client) {
        registration_.Abandon(); // groups a callback made went with the failed client
        reports_.ReportOnce(MdnsEvent::Unavailable,
                            std::string("cannot reach avahi-daemon over the D-Bus system bus: ") +
                                avahi_strerror(error));
        return;
    }
    client_.reset(client);
}

void MdnsPublisher::Impl::ClientStateChanged(AvahiClient* client, AvahiClientState state) {
    switch (state) {
    case AVAHI_CLIENT_S_RUNNING:
        // Also called from inside avahi_client_new(), before client_ is set: use `client`.
        registration_.Refresh(client);
        break;
    case AVAHI_CLIENT_S_REGISTERING:
    case AVAHI_CLIENT_S_COLLISION:
        // avahi-daemon is (re)establishing its own host name, for example after an address
        // change. Only records that point at that name need to wait for it.
        if (registration_.UsesDaemonHostName()) registration_.Withdraw();
        break;
    case AVAHI_CLIENT_CONNECTING:
        reports_.ReportOnce(MdnsEvent::Unavailable, "avahi-daemon is not running");
        break;
    case AVAHI_CLIENT_FAILURE:
        // Freeing the client inside its own callback is not safe: the timer does it.
        client_failed_ = true;
        if (avahi_client_errno(client) == AVAHI_ERR_DISCONNECTED) {
            reports_.Report(MdnsEvent::Lost, "avahi-daemon went away");
            reports_.Silence(MdnsEvent::Unavailable); // a restart is not worth a warning
        } else {
            reports_.ReportOnce(MdnsEvent::Failed, avahi_strerror(avahi_client_errno(client)));
        }
        Schedule(kReconnectDelay);
        break;
    }
}

bool MdnsPublisher::Impl::Running() const noexcept {
    return client_ && !client_failed_ &&
           avahi_client_get_state(client_.get()) == AVAHI_CLIENT_S_RUNNING;
}

void MdnsPublisher::Impl::Schedule(std::chrono::milliseconds delay) noexcept {
    timeval when;
    avahi_elapse_time(&when, static_cast<unsigned>(delay.count()), 0);
    avahi_threaded_poll_get(poll_.get())->timeout_update(timer_.get(), &when);
}

MdnsPublisher::MdnsPublisher(std::vector<MdnsService> services, std::string listen_address,
                             MdnsReporter reporter)
    : impl_(std::make_unique<Impl>(std::move(services), std::move(listen_address),
                                   std::move(reporter))) {}

MdnsPublisher::~MdnsPublisher() = default;

void MdnsPublisher::Update(std::vector<MdnsService> services) {
    impl_->Update(std::move(services));
}

} // namespace meteremu
