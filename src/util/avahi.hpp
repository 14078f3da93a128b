// SPDX-License-Identifier: MIT
// Ownership of Avahi client handles, the threaded-poll lock, and Avahi error codes as
// std::system_error. Avahi frees an entry group together with its client, so a group must
// be released before the client that made it (declare the client first).
#pragma once

#include <avahi-client/client.h>
#include <avahi-client/publish.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-common/thread-watch.h>

#include <memory>
#include <string>
#include <system_error>

namespace meteremu {

struct AvahiThreadedPollDeleter {
    /// Stops the poll thread first when it still runs.
    void operator()(AvahiThreadedPoll* poll) const noexcept { avahi_threaded_poll_free(poll); }
};
using AvahiThreadedPollPtr = std::unique_ptr<AvahiThreadedPoll, AvahiThreadedPollDeleter>;

struct AvahiClientDeleter {
    void operator()(AvahiClient* client) const noexcept { avahi_client_free(client); }
};
using AvahiClientPtr = std::unique_ptr<AvahiClient, AvahiClientDeleter>;

struct AvahiEntryGroupDeleter {
    /// Withdraws every record of the group from the network.
    void operator()(AvahiEntryGroup* group) const noexcept { avahi_entry_group_free(group); }
};
using AvahiEntryGroupPtr = std::unique_ptr<AvahiEntryGroup, AvahiEntryGroupDeleter>;

/// A string Avahi allocated (avahi_alternative_service_name and friends).
struct AvahiStringDeleter {
    void operator()(char* text) const noexcept { avahi_free(text); }
};
using AvahiStringPtr = std::unique_ptr<char, AvahiStringDeleter>;

/// A timer of an AvahiPoll; the deleter needs the poll's vtable.
struct AvahiTimeoutDeleter {
    const AvahiPoll* api = nullptr;
    void operator()(AvahiTimeout* timeout) const noexcept { api->timeout_free(timeout); }
};
using AvahiTimeoutPtr = std::unique_ptr<AvahiTimeout, AvahiTimeoutDeleter>;

/// Holds the threaded poll's lock: required for any Avahi call made from outside the poll
/// thread while it runs (avahi/avahi:docs/THREADS). Not for use inside Avahi callbacks,
/// which already run with the lock held.
class AvahiPollLock {
public:
    explicit AvahiPollLock(AvahiThreadedPoll* poll) noexcept : poll_(poll) {
        avahi_threaded_poll_lock(poll_);
    }
    ~AvahiPollLock() { avahi_threaded_poll_unlock(poll_); }
    AvahiPollLock(const AvahiPollLock&) = delete;
    AvahiPollLock& operator=(const AvahiPollLock&) = delete;

private:
    AvahiThreadedPoll* poll_;
};

/// AVAHI_ERR_* codes (negative ints) with avahi_strerror() messages.
inline const std::error_category& AvahiCategory() noexcept {
    class Category final : public std::error_category {
    public:
        const char* name() const noexcept override { return "avahi"; }
        std::string message(int code) const override { return avahi_strerror(code); }
    };
    static const Category category;
    return category;
}

/// Throws std::system_error for a negative Avahi result; returns a non-negative one.
inline int CheckAvahi(int result, const char* what) {
    if (result < 0) throw std::system_error(result, AvahiCategory(), what);
    return result;
}

/// The error of the client's last failed call.
inline std::system_error AvahiClientError(AvahiClient* client, const char* what) {
    return std::system_error(avahi_client_errno(client), AvahiCategory(), what);
}

} // namespace meteremu
