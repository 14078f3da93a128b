// SPDX-License-Identifier: MIT
#include "net/held_connections.hpp"

#include <algorithm>
#include <pthread.h>
#include <utility>

namespace meteremu {

HeldConnections::HeldConnections(std::size_t capacity) : capacity_(capacity) {
    held_.reserve(capacity_); // holding allocates nothing
    // Started last: the thread reads held_ at once (ThreadSanitizer saw the reserve race it).
    thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
}

HeldConnections::~HeldConnections() {
    Stop();
}

bool HeldConnections::Hold(MHD_Connection* connection, SteadyTime deadline) noexcept {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || held_.size() >= capacity_) return false;
        MHD_suspend_connection(connection); // before the thread may resume it
        held_.push_back({connection, deadline});
        added_ = true;
    }
    wake_.notify_one(); // its deadline may be the first
    return true;
}

void HeldConnections::SampleArrived() noexcept {
    {
        // Also with nothing held: a request the gate is holding right now, for want of this
        // very sample, must not wait for its deadline.
        std::lock_guard lock(mutex_);
        sample_arrived_ = true;
    }
    wake_.notify_one();
}

void HeldConnections::Stop() noexcept {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    thread_.request_stop();
    if (thread_.joinable()) thread_.join();
    std::vector<Held> held;
    {
        std::lock_guard lock(mutex_);
        held.swap(held_);
    }
    for (const Held& connection : held)
        MHD_resume_connection(connection.connection);
}

std::size_t HeldConnections::Count() const noexcept {
    std::lock_guard lock(mutex_);
    return held_.size();
}

bool HeldConnections::Stopping() const noexcept {
    std::lock_guard lock(mutex_);
    return stopping_;
}

std::vector<MHD_Connection*> HeldConnections::TakeDue(bool all, SteadyTime now) {
    std::vector<MHD_Connection*> due;
    std::erase_if(held_, [&](const Held& held) {
        bool resume = all || now >= held.deadline;
        if (resume) due.push_back(held.connection);
        return resume;
    });
    return due;
}

void HeldConnections::Run(std::stop_token stop) noexcept try {
    pthread_setname_np(pthread_self(), "http-hold");
    std::unique_lock lock(mutex_);
    while (!stop.stop_requested()) {
        SteadyTime first = std::chrono::steady_clock::now() + std::chrono::hours(1);
        for (const Held& held : held_)
            first = std::min(first, held.deadline);
        wake_.wait_until(lock, stop, first, [&] { return sample_arrived_ || added_; });
        added_ = false; // its deadline counts from the next wait on
        bool all = std::exchange(sample_arrived_, false);
        std::vector<MHD_Connection*> due = TakeDue(all, std::chrono::steady_clock::now());
        lock.unlock();
        for (MHD_Connection* connection : due)
            MHD_resume_connection(connection);
        lock.lock();
    }
} catch (...) {
    // Out of memory: the held connections are resumed at Stop().
}

} // namespace meteremu
