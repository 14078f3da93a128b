// SPDX-License-Identifier: MIT
// The replies a transport keeps for requests whose answer the handler marked reusable, each
// under the epoch it was made in (net/reply_epoch.hpp), served again while the epoch stays.
// One template for every transport: HTTP keeps finished libmicrohttpd responses
// (net/http_reply_cache.hpp), UDP keeps reply datagrams by request bytes. A few entries, found
// by comparing keys: batteries on one site ask a handful of different questions. Entries keep
// their strings' capacity, so a hit and a store over an entry of the same size allocate
// nothing. Not synchronised: the owner serialises its calls.
#pragma once

#include "net/reply_epoch.hpp"

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace meteremu {

template <class Reply, std::size_t Capacity>
class ReplyCache {
    static_assert(Capacity > 0);

public:
    /// The reply kept for `key` under `epoch`, or null (always null for an invalid epoch).
    /// Valid until the next Keep().
    const Reply* Find(std::string_view key, ReplyEpoch epoch) const noexcept {
        if (!epoch.Valid()) return nullptr;
        for (const Entry& entry : entries_)
            if (entry.epoch == epoch && entry.key == key) return &entry.reply;
        return nullptr;
    }

    /// Keeps a reply for `key` under `epoch`: `fill(reply)` writes it into the key's own entry
    /// if it has one, else into the next one round robin (the oldest). The entry only counts
    /// once `fill` has returned: if it throws (std::bad_alloc), or the key cannot be stored,
    /// the cache keeps nothing for `key` and the exception goes to the caller. Returns the kept
    /// reply, valid until the next Keep().
    template <class Fill>
    const Reply& Keep(std::string_view key, ReplyEpoch epoch, Fill&& fill) {
        Entry* slot = nullptr;
        for (Entry& entry : entries_)
            if (entry.key == key) slot = &entry;
        if (!slot) {
            slot = &entries_[next_];
            next_ = (next_ + 1) % Capacity;
            slot->epoch = {};
            slot->key.clear(); // clear and append, not assign: GCC 12 warns (-Wrestrict) wrongly
            slot->key.append(key);
        }
        slot->epoch = {};
        fill(slot->reply);
        slot->epoch = epoch;
        return slot->reply;
    }

    static constexpr std::size_t kCapacity = Capacity;

private:
    struct Entry {
        std::string key;
        ReplyEpoch epoch; ///< invalid: empty
        Reply reply{};
    };

    std::array<Entry, Capacity> entries_{};
    std::size_t next_ = 0; ///< the entry a new key takes
};

} // namespace meteremu
