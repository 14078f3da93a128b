// SPDX-License-Identifier: MIT
// What the status page shows of the data source (docs/status.md): filled by the backend
// (Backend::Facts, backends/backend.hpp), rendered by status/. It lives in core/ because both
// rooms name it and neither may include the other (docs/architecture.md#includes). Plain data:
// the page is not secret, so no token and no unmasked e-mail address ever goes in here.
#pragma once

#include "core/clock.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace meteremu {

/// How one request of the backend to its source ended: a small fixed set, so that the series
/// of /metrics cannot grow.
enum class RequestResult : std::uint8_t {
    Ok,          ///< a usable answer
    Timeout,     ///< no answer in time
    Unreachable, ///< refused, reset, TLS failure, name not resolved
    Untrusted,   ///< not the pinned gateway (another certificate key)
    Refused,     ///< HTTP 401 or 403: the token or session was rejected
    HttpError,   ///< another error status: 404, a redirect, 5xx, ...
    BadReply,    ///< an answer that cannot be used: not JSON, fields missing, ...
};

inline constexpr std::array<std::string_view, 7> kRequestResultNames{
    "ok", "timeout", "unreachable", "untrusted", "refused", "http_error", "bad_reply"};

/// The backend's requests since the start: how many by result, and how long they took in
/// fixed buckets (plain counters; /metrics renders them as a Prometheus histogram).
struct RequestStats {
    /// Upper bounds of the duration buckets in seconds (Prometheus' default buckets); one
    /// more bucket counts the requests that took longer.
    static constexpr std::array<double, 11> kBucketBounds{0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                          0.5,   1.0,  2.5,   5.0,  10.0};

    std::array<std::uint64_t, kRequestResultNames.size()> by_result{};
    /// Requests per bucket, not cumulative: [i] took more than bound i−1 and at most bound i.
    std::array<std::uint64_t, kBucketBounds.size() + 1> buckets{};
    double duration_sum_s = 0;

    void Record(RequestResult result, Seconds duration) noexcept {
        ++by_result[static_cast<std::size_t>(result)];
        double seconds = duration.count() > 0 ? duration.count() : 0.0;
        std::size_t bucket = 0;
        while (bucket < kBucketBounds.size() && seconds > kBucketBounds[bucket])
            ++bucket;
        ++buckets[bucket];
        duration_sum_s += seconds;
    }

    std::uint64_t Count() const noexcept {
        std::uint64_t count = 0;
        for (std::uint64_t n : by_result)
            count += n;
        return count;
    }
};

struct SourceFacts {
    std::string kind;     ///< the backend's type, e.g. "envoy"
    std::string address;  ///< where the source is reached, e.g. "192.168.1.10"; "" when none
    std::string firmware; ///< "" when unknown
    std::string ct_setup; ///< how the source measures the grid, short; "" when unknown
    /// The latest problem, as the journal says it; "" when there was none since the start.
    std::string last_error;
    std::optional<WallTime> last_error_at;      ///< when that run of failures began
    std::optional<WallTime> last_error_cleared; ///< when it ended; empty while it lasts
    /// Who the token belongs to: the Enlighten account (e-mail masked, MaskEmail), or where
    /// it comes from ("token file", "configuration"); "" without a token. Never the token.
    std::string token_holder;
    std::optional<WallTime> token_expires; ///< the token's `exp`
    /// Empty for a backend that does not count its requests (the demo, a push source).
    std::optional<RequestStats> requests;
};

/// "j***@example.com" for "jane.doe@example.com": enough for the owner to recognise the
/// account, too little to write to it. Text without '@' is returned as it is; masking twice
/// changes nothing.
inline std::string MaskEmail(std::string_view text) {
    std::size_t at = text.rfind('@');
    if (at == std::string_view::npos) return std::string(text);
    std::string masked = at > 0 ? std::string(1, text.front()) : std::string();
    return masked + "***" + std::string(text.substr(at));
}

} // namespace meteremu
