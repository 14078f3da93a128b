// SPDX-License-Identifier: MIT
// A shared_ptr that one thread replaces while others read it: a reader takes a reference of
// its own and keeps the object alive for as long as it holds it, while the writer installs the
// next one. A mutex guards the pointer itself, not std::atomic<std::shared_ptr>: libstdc++ 12
// releases that one's internal lock with a relaxed operation after reading the pointer, which
// ThreadSanitizer reports as a data race with the next store (make check-tsan), and which a
// weakly ordered CPU (the Raspberry Pi's ARM) may reorder. The lock is held for a reference
// count increment only.
#pragma once

#include <memory>
#include <mutex>
#include <utility>

namespace meteremu {

template <class T>
class SharedSlot {
public:
    explicit SharedSlot(std::shared_ptr<T> value) : value_(std::move(value)) {}

    SharedSlot(const SharedSlot&) = delete;
    SharedSlot& operator=(const SharedSlot&) = delete;

    std::shared_ptr<T> Load() const noexcept {
        std::lock_guard lock(mutex_);
        return value_;
    }

    /// Installs `value`; the previous object goes when its last reader lets go of it (here,
    /// outside the lock, if nobody holds it).
    void Store(std::shared_ptr<T> value) noexcept {
        {
            std::lock_guard lock(mutex_);
            value_.swap(value);
        }
    }

private:
    mutable std::mutex mutex_;
    std::shared_ptr<T> value_;
};

} // namespace meteremu
