// SPDX-License-Identifier: MIT
// A bounded queue of trivially copyable items that many threads push to without a lock and one
// thread takes from (Dmitry Vyukov's bounded queue, with a single consumer). A push into a full
// ring fails at once instead of waiting: the producers are server threads answering requests,
// which must never wait on whoever reads.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <type_traits>

namespace meteremu {

template <typename Item, std::size_t Capacity>
class MpscRing {
    static_assert(std::is_trivially_copyable_v<Item>);
    static_assert(Capacity >= 2 && (Capacity & (Capacity - 1)) == 0, "a power of two");

public:
    MpscRing() noexcept {
        for (std::size_t i = 0; i < Capacity; ++i)
            cells_[i].turn.store(i, std::memory_order_relaxed);
    }

    /// Any thread. False when the ring is full: `item` is not kept.
    bool Push(const Item& item) noexcept {
        std::size_t position = tail_.load(std::memory_order_relaxed);
        for (;;) {
            Cell& cell = cells_[position & kMask];
            std::size_t turn = cell.turn.load(std::memory_order_acquire);
            auto lead = static_cast<std::intptr_t>(turn) - static_cast<std::intptr_t>(position);
            if (lead == 0) {
                if (tail_.compare_exchange_weak(position, position + 1, std::memory_order_relaxed))
                    break;
            } else if (lead < 0) {
                return false; // the consumer has not taken this cell's previous item yet
            } else {
                position = tail_.load(std::memory_order_relaxed);
            }
        }
        Cell& cell = cells_[position & kMask];
        cell.item = item;
        cell.turn.store(position + 1, std::memory_order_release);
        return true;
    }

    /// The consumer's thread only: the oldest item, or nullopt when none is complete.
    std::optional<Item> Take() noexcept {
        Cell& cell = cells_[head_ & kMask];
        if (cell.turn.load(std::memory_order_acquire) != head_ + 1) return std::nullopt;
        Item item = cell.item;
        cell.turn.store(head_ + Capacity, std::memory_order_release);
        ++head_;
        return item;
    }

private:
    static constexpr std::size_t kMask = Capacity - 1;

    struct Cell {
        std::atomic<std::size_t> turn{0};
        Item item{};
    };

    std::array<Cell, Capacity> cells_;
    alignas(64) std::atomic<std::size_t> tail_{0};
    alignas(64) std::size_t head_ = 0;
};

} // namespace meteremu
