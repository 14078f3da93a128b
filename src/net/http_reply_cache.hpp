// SPDX-License-Identifier: MIT
// Finished libmicrohttpd responses kept for GET requests whose reply the handler marked
// reusable, served again while the handler's epoch stays (net/reply_epoch.hpp). A hit costs
// a key comparison and MHD_queue_response of the response already built: no rendering, no
// allocation. libmicrohttpd counts the references of a response, so one response object goes
// out on any number of connections, from every server thread, and outlives its entry here.
#pragma once

#include "net/reply_cache.hpp"
#include "net/reply_epoch.hpp"
#include "net/request_label.hpp"
#include "util/mhd.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>

namespace meteremu {

/// "GET /rpc/EM.GetStatus?id=0&": what identifies a GET request to the cache, built in place
/// (no allocation); Fits() is false for requests too long to be worth keeping, and for those
/// whose path or arguments contain the separators ("?", "&", "=") decoded.
class HttpReplyKey {
public:
    HttpReplyKey(MHD_Connection* connection, std::string_view method, std::string_view url);

    bool Fits() const noexcept { return fits_; }
    std::string_view View() const noexcept { return {text_.data(), size_}; }

private:
    static MHD_Result AddArgument(void* self, MHD_ValueKind, const char* key,
                                  const char* value) noexcept;
    void Append(std::string_view part) noexcept;

    std::array<char, 256> text_;
    std::size_t size_ = 0;
    bool fits_ = true;
};

/// What a kept response is, besides its bytes.
struct HttpKeptFacts {
    unsigned status = 0;
    std::uint64_t sample = 0; ///< the sample it carries, 0 for none
    RequestLabel label{};
};

/// A ReplyCache of finished responses, shared by the server's threads.
class HttpReplyCache {
public:
    /// Queues the kept response for `key` on `connection` if it was kept under `epoch`, unless
    /// `pass(sample, label)` (of the response) returns what became of the request instead (the
    /// sample gate held it, or refused it). Nullopt: nothing kept.
    template <class Pass>
    std::optional<MHD_Result> Queue(MHD_Connection* connection, std::string_view key,
                                    ReplyEpoch epoch, Pass&& pass) {
        std::lock_guard lock(mutex_);
        const Kept* kept = cache_.Find(key, epoch);
        if (!kept || !kept->response) return std::nullopt;
        if (std::optional<MHD_Result> stopped = pass(kept->facts.sample, kept->facts.label))
            return stopped;
        return MHD_queue_response(connection, kept->facts.status, kept->response.get());
    }

    /// Keeps `response` for `key` under `epoch`, in place of what the key had, or of the
    /// oldest entry.
    void Store(std::string_view key, ReplyEpoch epoch, const HttpKeptFacts& facts,
               MhdResponsePtr response);

    static constexpr std::size_t kEntries = 8;

private:
    struct Kept {
        HttpKeptFacts facts;
        MhdResponsePtr response;
    };

    std::mutex mutex_;
    ReplyCache<Kept, kEntries> cache_;
};

} // namespace meteremu
