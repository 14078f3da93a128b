// SPDX-License-Identifier: MIT
// The HTTP connections the sample gate holds (net/http_server.hpp): suspended in
// libmicrohttpd, and resumed by a thread of their own, every one when a new sample arrives
// (each is then asked of the gate again) and each at its deadline otherwise. Never blocks
// libmicrohttpd's threads: suspending and resuming only set flags and wake its loop.
#pragma once

#include "core/clock.hpp"
#include "util/mhd.hpp"

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <stop_token>
#include <thread>
#include <vector>

namespace meteremu {

class HeldConnections {
public:
    /// Holds at most `capacity` connections at once.
    explicit HeldConnections(std::size_t capacity);
    /// Stop().
    ~HeldConnections();

    HeldConnections(const HeldConnections&) = delete;
    HeldConnections& operator=(const HeldConnections&) = delete;

    /// Suspends `connection` (from its request handler) until SampleArrived() or `deadline`;
    /// false, and nothing done, when full or stopping: then answer it at once.
    bool Hold(MHD_Connection* connection, SteadyTime deadline) noexcept;

    /// Resumes every held connection soon. Returns at once; thread-safe.
    void SampleArrived() noexcept;

    /// Stops the thread and resumes every connection still held; nothing is held after it.
    /// Call it before libmicrohttpd stops, which must find none suspended. Idempotent.
    void Stop() noexcept;

    std::size_t Count() const noexcept;
    bool Stopping() const noexcept;

private:
    struct Held {
        MHD_Connection* connection;
        SteadyTime deadline;
    };

    void Run(std::stop_token stop) noexcept;
    /// The connections due now (all of them on a new sample), taken off the list.
    std::vector<MHD_Connection*> TakeDue(bool all, SteadyTime now);

    std::size_t capacity_;
    mutable std::mutex mutex_;
    std::condition_variable_any wake_;
    std::vector<Held> held_;
    bool sample_arrived_ = false;
    bool added_ = false;    ///< a connection was held since the thread last looked
    bool stopping_ = false; ///< then nothing more is held
    std::jthread thread_;   ///< last: it uses the above
};

} // namespace meteremu
